using System.Text.Json;
using System.Text.Json.Serialization;
using BqDispatch.Core.Routes;

namespace BqDispatch.Core.Groups;

/// <summary>
/// Completed groups under <c>JournalURL/groups/&lt;yyyy-MM-dd_HH of the post-action file&gt;/</c>: the group file moved
/// there as <c>&lt;name&gt;.json</c>, and the completion record <c>records/&lt;name&gt;.json</c>, created create-only
/// before the post-action file (as a route's record is), that keeps a group from being completed twice after BqTail
/// consumed its post-action file.
/// </summary>
public static class GroupJournal
{
    public const string Folder = "groups/";

    public static string HourFolder(string journalUrl, GroupCompletion group) => $"{journalUrl}{Folder}{PostActionFile.Hour(group.Ended)}/";

    public static string MovedUrl(string journalUrl, GroupCompletion group) => $"{HourFolder(journalUrl, group)}{group.Name}.json";

    public static string RecordUrl(string journalUrl, GroupCompletion group) => $"{HourFolder(journalUrl, group)}records/{group.Name}.json";

    public static byte[] Serialize(GroupRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, GroupJsonContext.Default.GroupRecord);

    /// <summary>A record's content, or null when it cannot be read as one.</summary>
    public static GroupRecord? Deserialize(byte[] content)
    {
        try
        {
            return JsonSerializer.Deserialize(content, GroupJsonContext.Default.GroupRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// A group's completion record: which group file (URL and generation) it is for, its post-action file, when, and its
/// state: <see cref="Completing"/> until the post-action file exists, then <see cref="Done"/>.
/// </summary>
public sealed record GroupRecord(string Group, long Generation, bool Succeeded, string? Trigger, DateTimeOffset Time, string State)
{
    public const string Completing = "completing";
    public const string Done = "completed";
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(GroupRecord))]
internal sealed partial class GroupJsonContext : JsonSerializerContext;
