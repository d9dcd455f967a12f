using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace BqDispatch.Emulators.BigQuery;

/// <summary>Writes BigQuery v2 JSON: jobList, job and the Google error envelope. int64 values as strings.</summary>
internal static class JobsJsonWriter
{
    public static byte[] JobList(ListPage page, bool minimal, DateTimeOffset now, FieldMask mask)
    {
        return Write(json =>
        {
            json.WriteStartObject();
            Put(json, mask, "kind", "bigquery#jobList");
            if (mask.Includes("etag"))
            {
                json.WriteString("etag", Etag(page.Jobs.Count, now));
            }

            if (page.Next is { } next && mask.Includes("nextPageToken"))
            {
                json.WriteString("nextPageToken", next.ToToken());
            }

            if (page.Jobs.Count > 0 && mask.Includes("jobs"))
            {
                var jobMask = mask.Of("jobs");
                json.WriteStartArray("jobs");
                foreach (var view in page.Jobs)
                {
                    json.WriteStartObject();
                    Put(json, jobMask, "kind", "bigquery#job");
                    WriteJobBody(json, view, minimal, now, listItem: true, jobMask);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (page.Unreachable.Count > 0 && mask.Includes("unreachable"))
            {
                json.WriteStartArray("unreachable");
                foreach (var location in page.Unreachable)
                {
                    json.WriteStringValue(location);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        });
    }

    public static byte[] Job(JobView view, DateTimeOffset now, string selfLink)
    {
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("kind", "bigquery#job");
            json.WriteString("etag", Etag(1, now));
            json.WriteString("selfLink", selfLink);
            WriteJobBody(json, view, minimal: false, now, listItem: false, FieldMask.All);
            json.WriteEndObject();
        });
    }

    public static byte[] Error(int status, string reason, string message)
    {
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteNumber("code", status);
            json.WriteString("message", message);
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("message", message);
            json.WriteString("domain", "global");
            json.WriteString("reason", reason);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("status", StatusName(status));
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>"project:LOCATION.jobId", the fully qualified id BigQuery reports.</summary>
    public static string QualifiedId(EmulatedJob job) => $"{job.ProjectId}:{job.Location}.{job.JobId}";

    public static string WireName(EmulatedJobState state) => state switch
    {
        EmulatedJobState.Pending => "PENDING",
        EmulatedJobState.Running => "RUNNING",
        _ => "DONE",
    };

    private static void WriteJobBody(Utf8JsonWriter json, JobView view, bool minimal, DateTimeOffset now, bool listItem, FieldMask mask)
    {
        var job = view.Job;
        var failed = view.State == EmulatedJobState.Done && job.ErrorReason is not null;
        var errorMessage = job.ErrorMessage ?? $"Job {QualifiedId(job)} failed: {job.ErrorReason}";

        if (mask.Includes("id"))
        {
            json.WriteString("id", QualifiedId(job));
        }

        if (mask.Includes("jobReference"))
        {
            var reference = mask.Of("jobReference");
            json.WriteStartObject("jobReference");
            Put(json, reference, "projectId", job.ProjectId);
            Put(json, reference, "jobId", job.JobId);
            Put(json, reference, "location", job.Location);
            json.WriteEndObject();
        }

        if (listItem)
        {
            Put(json, mask, "state", WireName(view.State));
            if (failed && mask.Includes("errorResult"))
            {
                WriteErrorProto(json, "errorResult", job.ErrorReason!, errorMessage);
            }
        }

        if (mask.Includes("status"))
        {
            json.WriteStartObject("status");
            json.WriteString("state", WireName(view.State));
            if (failed)
            {
                WriteErrorProto(json, "errorResult", job.ErrorReason!, errorMessage);
                json.WriteStartArray("errors");
                json.WriteStartObject();
                json.WriteString("reason", job.ErrorReason);
                json.WriteString("message", errorMessage);
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        if (!minimal && mask.Includes("configuration"))
        {
            var configuration = mask.Of("configuration");
            json.WriteStartObject("configuration");
            Put(json, configuration, "jobType", job.Type.ToString().ToUpperInvariant());
            var detail = job.Type.ToString().ToLowerInvariant();
            if (job.Type != EmulatedJobType.Unknown && configuration.Includes(detail))
            {
                json.WriteStartObject(detail);
                WriteDestination(json, job.Destination);
                WriteDetail(json, job);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        if (mask.Includes("statistics"))
        {
            var statistics = mask.Of("statistics");
            json.WriteStartObject("statistics");
            Put(json, statistics, "creationTime", Ms(job.Created));
            if (job.StartTimeAt(now) is { } start)
            {
                Put(json, statistics, "startTime", Ms(start));
            }

            if (view.State == EmulatedJobState.Done && job.DoneAt is { } end)
            {
                Put(json, statistics, "endTime", Ms(end));
            }

            json.WriteEndObject();
        }

        Put(json, mask, "user_email", job.UserEmail);
        if (mask.Includes("principal_subject"))
        {
            json.WriteString("principal_subject", "user:" + job.UserEmail);
        }
    }

    private static void Put(Utf8JsonWriter json, FieldMask mask, string name, string value)
    {
        if (mask.Includes(name))
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteDestination(Utf8JsonWriter json, EmulatedTable? table)
    {
        if (table is null)
        {
            return;
        }

        json.WriteStartObject("destinationTable");
        json.WriteString("projectId", table.ProjectId);
        json.WriteString("datasetId", table.DatasetId);
        json.WriteString("tableId", table.TableId);
        json.WriteEndObject();
    }

    // What a route rule matches on besides the destination: the SQL, the loaded URIs, the source table, the export URIs.
    private static void WriteDetail(Utf8JsonWriter json, EmulatedJob job)
    {
        if (job.Query is { } sql)
        {
            json.WriteString("query", sql);
        }

        WriteStrings(json, "sourceUris", job.SourceUris);
        if (job.SourceTable is { } source)
        {
            json.WriteStartObject("sourceTable");
            json.WriteString("projectId", source.ProjectId);
            json.WriteString("datasetId", source.DatasetId);
            json.WriteString("tableId", source.TableId);
            json.WriteEndObject();
        }

        WriteStrings(json, "destinationUris", job.DestinationUris);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteErrorProto(Utf8JsonWriter json, string name, string reason, string message)
    {
        json.WriteStartObject(name);
        json.WriteString("reason", reason);
        json.WriteString("message", message);
        json.WriteEndObject();
    }

    private static string Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static string Etag(int count, DateTimeOffset now)
    {
        Span<byte> seed = stackalloc byte[12];
        BitConverter.TryWriteBytes(seed, now.UtcTicks);
        BitConverter.TryWriteBytes(seed[8..], count);
        return Convert.ToBase64String(SHA256.HashData(seed).AsSpan(0, 12));
    }

    private static string StatusName(int status) => status switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "ALREADY_EXISTS",
        412 => "FAILED_PRECONDITION",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    };

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
