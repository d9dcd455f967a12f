using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BqDispatch.Core.Routes;

/// <summary>
/// The record of one routed job under <c>JournalURL/routes/&lt;yyyy-MM-dd_HH of the job's creation&gt;/proj:&lt;project&gt;:&lt;location&gt;/&lt;job id&gt;.json</c>:
/// the rule, the time and the trigger path. Created create-only before the trigger object (<see cref="RouteRecord.Routing"/>)
/// and marked <see cref="RouteRecord.Done"/> once it exists, it outlives the trigger object that BqTail consumes, so a
/// job is never routed twice. Hour folders make removing old records a matter of listing a few folders.
/// </summary>
public static class RouteJournal
{
    public const string Folder = "routes/";

    private const string HourLayout = "yyyy-MM-dd_HH";

    public static string RecordUrl(string journalUrl, FinishedJob job) =>
        $"{journalUrl}{Folder}{Hour(job.Created)}/proj:{job.ProjectId}:{job.Location}/{job.JobId}.json";

    public static string Hour(DateTimeOffset time) => time.UtcDateTime.ToString(HourLayout, CultureInfo.InvariantCulture);

    /// <summary>The hour an hour folder's name stands for, or null for a name that is not one.</summary>
    public static DateTimeOffset? HourOf(string folderName) =>
        DateTime.TryParseExact(folderName.TrimEnd('/'), HourLayout, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var hour)
            ? new DateTimeOffset(hour, TimeSpan.Zero)
            : null;

    public static byte[] Serialize(RouteRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, RouteJsonContext.Default.RouteRecord);

    /// <summary>A record's content, or null when it cannot be read as one.</summary>
    public static RouteRecord? Deserialize(byte[] content)
    {
        try
        {
            return JsonSerializer.Deserialize(content, RouteJsonContext.Default.RouteRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A route journal record. <see cref="State"/> is <see cref="Routing"/> until the trigger object exists, then <see cref="Done"/>.</summary>
public sealed record RouteRecord(string Rule, string Trigger, DateTimeOffset Time, string State)
{
    public const string Routing = "routing";
    public const string Done = "routed";
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(RouteRecord))]
internal sealed partial class RouteJsonContext : JsonSerializerContext;
