using System.Globalization;
using System.Text.Json;

namespace BqDispatch.Core.Routes;

/// <summary>
/// A DONE BigQuery job as a route sees it: what its rule matches on (§7.1's <c>job.Source()</c> and <c>job.Dest()</c>)
/// and the resource BigQuery returned, which goes unchanged into the post-action file.
/// </summary>
/// <param name="Type">configuration.jobType, upper case (QUERY, LOAD, COPY, EXTRACT), or "" when absent.</param>
/// <param name="Source">QUERY: the SQL, newlines as spaces; LOAD: the source URIs, comma-joined; COPY and EXTRACT: the source table as project:dataset.table.</param>
/// <param name="Dest">QUERY, LOAD, COPY: the destination table as project:dataset.table ("" without one); EXTRACT: the destination URI.</param>
/// <param name="Error">status.errorResult.message of a failed job, else null.</param>
public sealed record FinishedJob(
    string ProjectId,
    string JobId,
    string Location,
    string Type,
    DateTimeOffset Created,
    DateTimeOffset Ended,
    string Source,
    string Dest,
    string? Error,
    JsonElement Resource)
{
    public bool Failed => Error is not null;

    /// <summary>
    /// Reads a DONE job resource (a full jobs.list item or a jobs.get body); null when it is not one (no job id or no
    /// DONE state). A job without an end time ends at its creation, so its trigger's hour folder is still fixed.
    /// </summary>
    public static FinishedJob? From(JsonElement job)
    {
        if (job.ValueKind != JsonValueKind.Object
            || Text(job, "jobReference", "jobId") is not { Length: > 0 } jobId
            || !string.Equals(Text(job, "status", "state") ?? Text(job, "state"), "DONE", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var configuration = Member(job, "configuration");
        var type = (Text(configuration, "jobType") ?? "").ToUpperInvariant();
        var created = Time(job, "creationTime") ?? DateTimeOffset.UnixEpoch;
        var error = Member(Member(job, "status"), "errorResult") is { ValueKind: JsonValueKind.Object } status ? status
            : Member(job, "errorResult");
        return new FinishedJob(
            Text(job, "jobReference", "projectId") ?? "",
            jobId,
            Text(job, "jobReference", "location") ?? "",
            type,
            created,
            Time(job, "endTime") ?? created,
            SourceOf(type, configuration),
            DestOf(type, configuration),
            error is { ValueKind: JsonValueKind.Object } e ? Text(e, "message") ?? Text(e, "reason") ?? "failed" : null,
            job);
    }

    /// <summary>
    /// The id, location and creation time of any job resource, DONE or not; null without a job id. BqTail's own jobs
    /// (<see cref="IsBqTails"/>) are told by their id.
    /// </summary>
    public static (string JobId, string Location, DateTimeOffset Created, bool Done)? Glance(JsonElement job) =>
        Text(job, "jobReference", "jobId") is { Length: > 0 } jobId
            ? (jobId, Text(job, "jobReference", "location") ?? "", Time(job, "creationTime") ?? DateTimeOffset.UnixEpoch,
                string.Equals(Text(job, "status", "state") ?? Text(job, "state"), "DONE", StringComparison.OrdinalIgnoreCase))
            : null;

    /// <summary>Jobs BqTail started itself (their ids end with --dispatch, --tail or --nop): BqTail handles them, never a route.</summary>
    public static bool IsBqTails(string jobId) =>
        jobId.EndsWith("--dispatch", StringComparison.Ordinal)
        || jobId.EndsWith("--tail", StringComparison.Ordinal)
        || jobId.EndsWith("--nop", StringComparison.Ordinal);

    /// <summary>The destination table as project:dataset.table; for an extract, its source table (what it acts on).</summary>
    public string DestTable => Type == "EXTRACT" ? Source : Dest;

    private static string SourceOf(string type, JsonElement? configuration) => type switch
    {
        "QUERY" => (Text(configuration, "query", "query") ?? "").Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' '),
        "LOAD" => string.Join(',', Strings(Member(Member(configuration, "load"), "sourceUris"))),
        "COPY" => Table(Member(Member(configuration, "copy"), "sourceTable"))
            ?? Table(First(Member(Member(configuration, "copy"), "sourceTables"))) ?? "",
        "EXTRACT" => Table(Member(Member(configuration, "extract"), "sourceTable")) ?? "",
        _ => "",
    };

    // The 2019 filter read EXTRACT's deprecated singular destinationUri; jobs of today carry destinationUris, so the first
    // of those stands in when it is absent.
    private static string DestOf(string type, JsonElement? configuration) => type switch
    {
        "QUERY" or "LOAD" or "COPY" => Table(Member(Member(configuration, type.ToLowerInvariant()), "destinationTable")) ?? "",
        "EXTRACT" => Text(configuration, "extract", "destinationUri")
            ?? Strings(Member(Member(configuration, "extract"), "destinationUris")).FirstOrDefault() ?? "",
        _ => "",
    };

    private static string? Table(JsonElement? table) =>
        Text(table, "projectId") is { } project && Text(table, "datasetId") is { } dataset && Text(table, "tableId") is { } id
            ? $"{project}:{dataset}.{id}"
            : null;

    private static DateTimeOffset? Time(JsonElement job, string name) =>
        Text(job, "statistics", name) is { } ms && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value is > 0 and < 253402300800000
            ? DateTimeOffset.FromUnixTimeMilliseconds(value)
            : null;

    private static JsonElement? Member(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? value : null;

    private static JsonElement? First(JsonElement? array) =>
        array is { ValueKind: JsonValueKind.Array } a && a.GetArrayLength() > 0 ? a[0] : null;

    private static IEnumerable<string> Strings(JsonElement? array) =>
        array is { ValueKind: JsonValueKind.Array } a
            ? a.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
            : [];

    // int64 values come as strings on the wire; a number is read too.
    private static string? Text(JsonElement? element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
        {
            current = Member(current, name);
        }

        return current switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
            _ => null,
        };
    }
}
