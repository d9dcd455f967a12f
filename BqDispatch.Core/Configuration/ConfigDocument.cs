using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BqDispatch.Core.Configuration;

/// <summary>
/// One JSON object of the configuration, read strictly: keys match known keys ignoring case (as Go's decoder
/// does), unknown keys are errors, and each value must have its key's JSON type. Null and "" count as not given,
/// as in bqtail, where Init fills defaults into empty fields.
/// </summary>
internal sealed class ConfigDocument
{
    private readonly Dictionary<string, JToken> values;
    private readonly string path;

    private ConfigDocument(Dictionary<string, JToken> values, string path)
    {
        this.values = values;
        this.path = path;
    }

    public static ConfigDocument Parse(string json, IReadOnlyList<string> knownKeys)
    {
        JToken root;
        try
        {
            root = JToken.Parse(json, new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
        }
        catch (JsonReaderException e)
        {
            throw new ConfigException("config: invalid JSON: " + OneLine(e.Message), e);
        }

        return root is JObject document
            ? Of(document, knownKeys, path: "")
            : throw new ConfigException("config: expected a JSON object");
    }

    /// <summary>A string value, or null when absent, null or empty.</summary>
    public string? String(string key) => Get(key) switch
    {
        null => null,
        { Type: JTokenType.String } token => token.Value<string>() is { Length: > 0 } text ? text : null,
        _ => throw Invalid(key, "must be a string"),
    };

    /// <summary>A whole number in <paramref name="range"/> (which fits an int), or null when absent or null.</summary>
    public int? Count(string key, ConfigRange range) => (int?)Number(key, range);

    /// <summary>A whole number in <paramref name="range"/>, or null when absent or null.</summary>
    public long? Number(string key, ConfigRange range)
    {
        var token = Get(key);
        if (token is null)
        {
            return null;
        }

        if (token.Type != JTokenType.Integer)
        {
            throw Invalid(key, $"must be a whole number within {range}");
        }

        // Newtonsoft keeps integers beyond long as BigInteger.
        return token is JValue { Value: long number } && range.Contains(number)
            ? number
            : throw Invalid(key, $"must be within {range}, got {token.ToString(Formatting.None)}");
    }

    /// <summary>true or false, or null when absent or null.</summary>
    public bool? Flag(string key) => Get(key) switch
    {
        null => null,
        { Type: JTokenType.Boolean } token => token.Value<bool>(),
        _ => throw Invalid(key, "must be true or false"),
    };

    /// <summary>Any JSON value, kept as compact JSON text, or null when absent or null.</summary>
    public string? RawJson(string key) => Get(key)?.ToString(Formatting.None);

    /// <summary>A nested object read with its own known keys, or null when absent or null.</summary>
    public ConfigDocument? Object(string key, IReadOnlyList<string> knownKeys) => Get(key) switch
    {
        null => null,
        JObject nested => Of(nested, knownKeys, Name(key) + "."),
        _ => throw Invalid(key, "must be a JSON object"),
    };

    /// <summary>
    /// The objects of an array, each read with its own known keys; null when absent or null. <paramref name="label"/>
    /// names an element in error messages from its position and its raw object (e.g. <c>Lanes.backfill</c>).
    /// </summary>
    public IReadOnlyList<ConfigDocument>? Objects(string key, IReadOnlyList<string> knownKeys, Func<int, JObject, string> label) => Get(key) switch
    {
        null => null,
        JArray array => array.Select((item, i) => item is JObject element
                ? Of(element, knownKeys, label(i, element) + ".")
                : throw new ConfigException($"config: {Name(key)}[{i}] must be a JSON object"))
            .ToList(),
        _ => throw Invalid(key, "must be a JSON array"),
    };

    /// <summary>The key with its parent, as error messages show it (e.g. SlackCredentials.URL).</summary>
    public string Name(string key) => path + key;

    private static ConfigDocument Of(JObject document, IReadOnlyList<string> knownKeys, string path)
    {
        var values = new Dictionary<string, JToken>(StringComparer.Ordinal);
        foreach (var property in document.Properties())
        {
            var key = knownKeys.FirstOrDefault(known => string.Equals(known, property.Name, StringComparison.OrdinalIgnoreCase))
                ?? throw Unknown(path + property.Name, knownKeys, path);
            if (values.ContainsKey(key))
            {
                throw new ConfigException($"config: {path}{key} is given twice (keys ignore case)");
            }

            if (property.Value.Type != JTokenType.Null)
            {
                values[key] = property.Value;
            }
        }

        return new ConfigDocument(values, path);
    }

    private static ConfigException Unknown(string key, IReadOnlyList<string> knownKeys, string path)
    {
        var suggestion = KeySuggestion.Closest(key[path.Length..], knownKeys);
        var hint = suggestion is null ? "" : $" (did you mean {path}{suggestion}?)";
        return new ConfigException($"config: unknown key '{key}'{hint}");
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private JToken? Get(string key) => values.GetValueOrDefault(key);

    private ConfigException Invalid(string key, string problem) => new($"config: {Name(key)} {problem}");
}
