using System.Text.Json;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Routes;

namespace BqDispatch.Core.Configuration;

/// <summary>Reads the route keys: <c>RouteProjects</c> (project ids) and the inline <c>Rules</c>, checked at once.</summary>
internal static class RoutesReader
{
    public static IReadOnlyList<string> Projects(ConfigDocument doc)
    {
        if (doc.RawJson(ConfigKeys.RouteProjects) is not { } json)
        {
            return [];
        }

        using var parsed = JsonDocument.Parse(json);
        if (parsed.RootElement.ValueKind != JsonValueKind.Array || parsed.RootElement.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
        {
            throw new ConfigException($"config: {doc.Name(ConfigKeys.RouteProjects)} must be an array of BigQuery project ids");
        }

        var projects = parsed.RootElement.EnumerateArray().Select(p => p.GetString()!).Distinct(StringComparer.Ordinal).ToList();
        return projects.FirstOrDefault(p => !ProjectId.IsValid(p)) is { } bad
            ? throw new ConfigException($"config: {doc.Name(ConfigKeys.RouteProjects)}: '{bad}' cannot be a BigQuery project id ({ProjectId.Rule})")
            : projects;
    }

    /// <summary>The inline rules as JSON text, or null; a rule that cannot be used stops the configuration with its error.</summary>
    public static string? Rules(ConfigDocument doc)
    {
        var json = doc.RawJson("Rules");
        if (json is null)
        {
            return null;
        }

        if (!json.TrimStart().StartsWith('['))
        {
            throw new ConfigException($"config: {doc.Name("Rules")} must be an array of route rules");
        }

        var parsed = RuleParser.Parse(json, RuleParser.InlineSource, RuleParser.InlineSource);
        return parsed.Usable ? json : throw new ConfigException("config: " + parsed.Errors[0]);
    }
}
