using System.Text.Json;
using System.Text.Json.Nodes;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Groups;

/// <summary>
/// A group as its file <c>AsyncTaskURL/_groups/&lt;name&gt;.json</c> says, at one generation: its members, whether it is
/// still open to late joiners, its deadline (from the object's creation) and the actions (raw JSON arrays) to run.
/// </summary>
public sealed record GroupDefinition(
    string Name,
    string Url,
    long Generation,
    DateTimeOffset Created,
    IReadOnlyList<GroupMember> Members,
    bool Open,
    TimeSpan DeadlineAfter,
    string? OnSuccess,
    string? OnFailure)
{
    public DateTimeOffset Deadline => Created + DeadlineAfter;
}

/// <summary>Reads group files: <c>{"Jobs": [...], "Open": false, "DeadlineSec": 3600, "OnSuccess": [...], "OnFailure": [...]}</c>.</summary>
public static class GroupFile
{
    /// <summary>The folder of group files under AsyncTaskURL.</summary>
    public const string Folder = "_groups/";

    /// <summary>The deadline of a group whose file gives none.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromHours(1);

    /// <summary>Long enough for any sensible name, short enough that <c>&lt;name&gt;--group.json</c> fits a file:// trigger folder (255 bytes).</summary>
    public const int MaxNameLength = 200;

    private const string Extension = ".json";

    private static readonly string[] Keys = ["Jobs", "Open", "DeadlineSec", "OnSuccess", "OnFailure"];

    /// <summary>
    /// The group's name: the object name without <c>.json</c>, when it follows the trace rules (letters, digits, '_', '-',
    /// '.') and has at most <see cref="MaxNameLength"/> of them, else null.
    /// </summary>
    public static string? NameOf(string objectName)
    {
        if (!objectName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return null;
        }

        var name = objectName[..^Extension.Length];
        return name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? name : null;
    }

    /// <summary>The group <paramref name="file"/> holds, or the reason it cannot be used.</summary>
    public static (GroupDefinition? Group, string? Problem) Parse(StoredObject file, byte[] content)
    {
        if (NameOf(file.Name) is not { } name)
        {
            return (null, $"its name is not <name>.json with a name of 1 to {MaxNameLength} letters, digits, '_', '-' and '.'");
        }

        JsonObject? root;
        try
        {
            root = JsonNode.Parse(content, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject;
        }
        catch (JsonException e)
        {
            return (null, $"not valid JSON: {e.Message}");
        }

        if (root is null)
        {
            return (null, "expected a JSON object");
        }

        if (root.Select(p => p.Key).FirstOrDefault(k => !Keys.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            return (null, $"unknown key '{unknown}' (known: {string.Join(", ", Keys)})");
        }

        if (Member(root, "Jobs") is not JsonArray jobs || jobs.Count == 0)
        {
            return (null, "Jobs must be a non-empty array of \"<project>:<location>.<job id>\"");
        }

        var members = new List<GroupMember>();
        foreach (var job in jobs)
        {
            var text = job is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (!GroupMember.TryParse(text, out var member))
            {
                return (null, $"Jobs: '{job?.ToJsonString() ?? "null"}' is not \"<project>:<location>.<job id>\"");
            }

            if (!members.Contains(member!))
            {
                members.Add(member!);
            }
        }

        bool open;
        switch (Member(root, "Open"))
        {
            case null:
                open = false;
                break;
            case JsonValue value when value.TryGetValue<bool>(out var b):
                open = b;
                break;
            default:
                return (null, "Open must be true or false");
        }

        var deadline = DefaultDeadline;
        if (Member(root, "DeadlineSec") is { } seconds)
        {
            if (seconds is not JsonValue number || !number.TryGetValue<double>(out var sec) || sec <= 0 || sec > TimeSpan.FromDays(365).TotalSeconds)
            {
                return (null, "DeadlineSec must be a number of seconds above 0 (at most a year)");
            }

            deadline = TimeSpan.FromSeconds(sec);
        }

        var (onSuccess, successProblem) = RuleParser.ReadActions(root, "OnSuccess");
        var (onFailure, failureProblem) = RuleParser.ReadActions(root, "OnFailure");
        if ((successProblem ?? failureProblem) is { } problem)
        {
            return (null, problem);
        }

        return (new GroupDefinition(name, file.Url, file.Generation, file.Created, members, open, deadline, onSuccess?.ToJsonString(), onFailure?.ToJsonString()), null);
    }

    // Keys in any case, as Go's JSON decoding (and the route rules) read them.
    private static JsonNode? Member(JsonObject node, string key) =>
        node.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
}
