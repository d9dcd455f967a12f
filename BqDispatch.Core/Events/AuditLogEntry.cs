using System.Globalization;
using System.Text.Json;

namespace BqDispatch.Core.Events;

/// <summary>What a log entry turned out to be.</summary>
public enum EntryKind
{
    /// <summary>A BigQuery job completion: <see cref="EntryReading.Completion"/> says which job.</summary>
    Completion,

    /// <summary>A well-formed entry that is not a completion (a job insertion, another service): useless, not wrong.</summary>
    NotACompletion,

    /// <summary>Not a log entry this reader understands; redelivery would not fix it.</summary>
    Malformed,
}

/// <summary>The reading of one entry; <see cref="Problem"/> says why it is not a completion.</summary>
public sealed record EntryReading(EntryKind Kind, JobCompletion? Completion = null, string? Problem = null);

/// <summary>
/// Reads BigQuery's audit-log completion entries, as a Cloud Logging sink publishes them to Pub/Sub (the message data is
/// the LogEntry JSON): the current format (<c>protoPayload.metadata.jobChange.after = "DONE"</c> of a
/// BigQueryAuditMetadata) and the legacy one (<c>protoPayload.methodName = "jobservice.jobcompleted"</c>). The job's
/// project and id come from its <c>jobName</c>, its location from <c>resource.labels.location</c> (or the legacy
/// jobName's own), its end time from the job statistics. Never throws.
/// </summary>
public static class AuditLogEntry
{
    public static EntryReading Read(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return Read(document.RootElement);
        }
        catch (JsonException e)
        {
            return Malformed($"not JSON: {e.Message}");
        }
    }

    public static EntryReading Read(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("protoPayload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            return Malformed("not a log entry with a protoPayload");
        }

        if (Path(payload, "metadata", "jobChange") is { ValueKind: JsonValueKind.Object } change)
        {
            return Text(change, "after") == "DONE"
                ? FromJobChange(change, Text(Path(entry, "resource", "labels"), "location"))
                : NotACompletion($"a job change to {Text(change, "after") ?? "an unknown state"}");
        }

        if (Text(payload, "methodName") == "jobservice.jobcompleted")
        {
            return FromLegacy(Path(payload, "serviceData", "jobCompletedEvent"));
        }

        return NotACompletion($"{Text(payload, "serviceName") ?? "an unknown service"} {Text(payload, "methodName") ?? ""}".TrimEnd());
    }

    private static EntryReading FromJobChange(JsonElement change, string? resourceLocation)
    {
        var job = Path(change, "job");
        if (Text(job, "jobName") is not { } jobName || !TryJobName(jobName, out var project, out var jobId, out var location))
        {
            return Malformed("a job change without a jobName of the form projects/<project>/jobs/<job id>");
        }

        return new EntryReading(EntryKind.Completion, new JobCompletion(
            project,
            jobId,
            resourceLocation ?? location,
            Time(Text(Path(job, "jobStats"), "endTime")),
            Text(Path(job, "jobStatus", "errorResult"), "message") ?? ErrorOf(Path(job, "jobStatus", "errorResult")),
            Text(Path(job, "jobConfig"), "type") ?? "UNKNOWN"));
    }

    private static EntryReading FromLegacy(JsonElement? completed)
    {
        var name = Path(completed, "job", "jobName");
        if (Text(name, "projectId") is not { Length: > 0 } project || Text(name, "jobId") is not { Length: > 0 } jobId)
        {
            return Malformed("a jobcompleted entry without job.jobName.projectId and jobId");
        }

        var status = Path(completed, "job", "jobStatus");
        return new EntryReading(EntryKind.Completion, new JobCompletion(
            project,
            jobId,
            Text(name, "location"),
            Time(Text(Path(completed, "job", "jobStatistics"), "endTime")),
            Text(Path(status, "error"), "message") ?? ErrorOf(Path(status, "error")),
            Text(completed, "eventName") ?? "UNKNOWN"));
    }

    // projects/<project>/jobs/<id> or projects/<project>/locations/<location>/jobs/<id>; domain-scoped project ids
    // (example.com:project) keep their colon.
    private static bool TryJobName(string jobName, out string project, out string jobId, out string? location)
    {
        project = jobId = "";
        location = null;
        var parts = jobName.Split('/');
        if (parts.Length == 4 && parts[0] == "projects" && parts[2] == "jobs")
        {
            (project, jobId) = (parts[1], parts[3]);
        }
        else if (parts.Length == 6 && parts[0] == "projects" && parts[2] == "locations" && parts[4] == "jobs")
        {
            (project, location, jobId) = (parts[1], parts[3], parts[5]);
        }

        return project.Length > 0 && jobId.Length > 0;
    }

    // An error object without a message still means the job failed.
    private static string? ErrorOf(JsonElement? error) =>
        error is { ValueKind: JsonValueKind.Object } e && e.EnumerateObject().Any() ? "failed (no message)" : null;

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUniversalTime() : null;

    private static JsonElement? Path(JsonElement? element, params string[] names)
    {
        foreach (var name in names)
        {
            if (element is not { ValueKind: JsonValueKind.Object } current || !current.TryGetProperty(name, out var next))
            {
                return null;
            }

            element = next;
        }

        return element;
    }

    private static string? Text(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static EntryReading NotACompletion(string what) => new(EntryKind.NotACompletion, Problem: what);

    private static EntryReading Malformed(string why) => new(EntryKind.Malformed, Problem: why);
}
