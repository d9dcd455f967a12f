using System.Text.Json;
using System.Text.Json.Nodes;

namespace BqDispatch.Core.Routes;

/// <summary>What one source of rules (a file, or the inline <c>Rules</c>) holds: its rules, or what is wrong with it.</summary>
public sealed record ParsedRules(IReadOnlyList<RouteRule> Rules, IReadOnlyList<string> Errors)
{
    public bool Usable => Errors.Count == 0;
}

/// <summary>
/// Reads route rules: one rule or an array of rules, each <c>{"When": {"Dest", "Source", "Type"}, "OnSuccess": [...],
/// "OnFailure": [...], "Info": {...}}</c> (keys in any case, as bqtail reads them). Anything it cannot use (bad JSON,
/// a bad regular expression, an unknown key or action) is an error naming the source and the rule.
/// </summary>
public static class RuleParser
{
    /// <summary>The source name of rules given inline in the configuration.</summary>
    public const string InlineSource = "Rules";

    /// <summary>The actions BqTail's post-action handler runs.</summary>
    public static readonly IReadOnlyList<string> Actions =
        ["move", "delete", "copy", "query", "export", "load", "drop", "notify", "call", "push", "insert", "group"];

    private static readonly string[] RuleKeys = ["When", "OnSuccess", "OnFailure", "Info"];
    private static readonly string[] WhenKeys = ["Dest", "Source", "Type"];
    private static readonly string[] ActionKeys = ["Action", "Request", "When", "OnSuccess", "OnFailure"];
    private static readonly string[] JobTypes = ["QUERY", "LOAD", "COPY", "EXTRACT"];

    /// <param name="source">The file's URL, or <see cref="InlineSource"/>.</param>
    /// <param name="name">The file's name (rules without Info.Name are called name#index).</param>
    public static ParsedRules Parse(string json, string source, string name)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return new ParsedRules([], [$"rules {source}: not valid JSON: {e.Message}"]);
        }

        var items = root switch
        {
            JsonArray array => array.ToList(),
            JsonObject rule => [rule],
            _ => null,
        };
        if (items is null)
        {
            return new ParsedRules([], [$"rules {source}: expected a rule or an array of rules"]);
        }

        var rules = new List<RouteRule>();
        var errors = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var fallbackName = $"{name}#{i}";
            try
            {
                rules.Add(Rule(items[i], source, fallbackName));
            }
            catch (RuleException e)
            {
                errors.Add($"rules {source}: rule {e.RuleName ?? fallbackName}: {e.Message}");
            }
        }

        return new ParsedRules(rules, errors);
    }

    /// <summary>
    /// Reads <paramref name="key"/> of <paramref name="owner"/> as a list of actions checked as a rule's are (a group file's
    /// OnSuccess and OnFailure): a copy of it (null when absent), or the problem with it.
    /// </summary>
    public static (JsonArray? Actions, string? Problem) ReadActions(JsonObject owner, string key)
    {
        try
        {
            return (ActionList(owner, key), null);
        }
        catch (RuleException e)
        {
            return (null, e.Message);
        }
    }

    private static RouteRule Rule(JsonNode? node, string source, string fallbackName)
    {
        var rule = node as JsonObject ?? throw new RuleException("a rule must be a JSON object");
        var name = Member(rule, "Info") switch
        {
            null => fallbackName,
            JsonObject info => Member(info, "Name") switch
            {
                null => fallbackName,
                JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
                _ => throw new RuleException("Info.Name must be a non-empty string"),
            },
            _ => throw new RuleException("Info must be an object"),
        };

        try
        {
            Known(rule, RuleKeys, "rule");
            var when = Member(rule, "When") as JsonObject ?? throw new RuleException("When is required and must be an object");
            Known(when, WhenKeys, "When");
            var type = Text(when, "Type");
            if (type is not null && !JobTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            {
                throw new RuleException($"When.Type must be one of QUERY, LOAD, COPY, EXTRACT, got '{type}'");
            }

            var filter = new RouteFilter(type, Regex(when, "Source"), Regex(when, "Dest"));
            return new RouteRule(name, source, filter, ActionList(rule, "OnSuccess"), ActionList(rule, "OnFailure"));
        }
        catch (RuleException e)
        {
            throw new RuleException(e.Message, name);
        }
    }

    private static System.Text.RegularExpressions.Regex? Regex(JsonObject when, string key)
    {
        var pattern = Text(when, key);
        try
        {
            return pattern is null ? null : RouteFilter.Pattern(pattern);
        }
        catch (ArgumentException e)
        {
            throw new RuleException($"When.{key} '{pattern}' is not a regular expression: {e.Message}");
        }
    }

    private static JsonArray? ActionList(JsonObject owner, string key)
    {
        var node = Member(owner, key);
        if (node is null)
        {
            return null;
        }

        var actions = node as JsonArray ?? throw new RuleException($"{key} must be an array of actions");
        foreach (var action in actions)
        {
            CheckAction(action, key);
        }

        return (JsonArray)actions.DeepClone();
    }

    private static void CheckAction(JsonNode? node, string where)
    {
        var action = node as JsonObject ?? throw new RuleException($"{where}: an action must be a JSON object");
        Known(action, ActionKeys, $"{where} action");
        var name = Text(action, "Action") ?? throw new RuleException($"{where}: an action needs \"Action\"");
        if (!Actions.Contains(name))
        {
            throw new RuleException($"{where}: unknown action '{name}' (known: {string.Join(", ", Actions)})");
        }

        if (Member(action, "Request") is { } request && request is not JsonObject)
        {
            throw new RuleException($"{where}: the Request of action '{name}' must be an object");
        }

        if (Member(action, "When") is { } when && when is not JsonObject)
        {
            throw new RuleException($"{where}: the When of action '{name}' must be an object");
        }

        foreach (var nested in new[] { "OnSuccess", "OnFailure" })
        {
            switch (Member(action, nested))
            {
                case null:
                    break;
                case JsonArray list:
                    foreach (var child in list)
                    {
                        CheckAction(child, $"{where} {name} {nested}");
                    }

                    break;
                default:
                    throw new RuleException($"{where}: {nested} of action '{name}' must be an array");
            }
        }
    }

    private static void Known(JsonObject node, string[] keys, string what)
    {
        foreach (var (key, _) in node)
        {
            if (!keys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new RuleException($"unknown key '{key}' in {what} (known: {string.Join(", ", keys)})");
            }
        }
    }

    private static string? Text(JsonObject node, string key) => Member(node, key) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw new RuleException($"{key} must be a string"),
    };

    // Keys in any case, as Go's JSON decoding reads them.
    private static JsonNode? Member(JsonObject node, string key) =>
        node.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    private sealed class RuleException(string message, string? ruleName = null) : Exception(message)
    {
        public string? RuleName { get; } = ruleName;
    }
}
