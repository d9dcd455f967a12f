using System.Text;
using System.Text.Json;
using BqDispatch.Emulators.BigQuery;

namespace BqDispatch.Emulators.PubSub;

/// <summary>
/// Stands in for BigQuery's audit log, a log sink and its topic: every job of the BigQuery emulator that becomes DONE is
/// published once to the topic as the LogEntry a sink would send (BigQueryAuditMetadata, jobChange.after DONE), shortly
/// after its end. <see cref="DropRate"/> loses that share of the entries, as Google says audit entries may be.
/// </summary>
public sealed class AuditLogFeed(BigQueryEmulator bigQuery, PubSubEmulator pubsub, string topic) : IAsyncDisposable
{
    private readonly HashSet<(string Project, string JobId)> published = [];
    private readonly CancellationTokenSource stop = new();
    private Task running = Task.CompletedTask;

    /// <summary>How often the jobs are looked at: an entry reaches the topic within this of the job's end.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The share of entries lost (0–1), chosen by a seeded random.</summary>
    public double DropRate { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Entries published and entries dropped so far.</summary>
    public (int Published, int Dropped) Counts { get; private set; }

    public void Start() => running = Task.Run(() => Run(stop.Token));

    /// <summary>The LogEntry a sink sends for a DONE job (the shape of reference gcp-rest-and-auth.md §5).</summary>
    public static string Entry(EmulatedJob job) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["insertId"] = Guid.NewGuid().ToString("N")[..12],
        ["logName"] = $"projects/{job.ProjectId}/logs/cloudaudit.googleapis.com%2Fdata_access",
        ["resource"] = new { type = "bigquery_project", labels = new { project_id = job.ProjectId, location = job.Location } },
        ["timestamp"] = job.DoneAt!.Value,
        ["protoPayload"] = new Dictionary<string, object>
        {
            ["@type"] = "type.googleapis.com/google.cloud.audit.AuditLog",
            ["serviceName"] = "bigquery.googleapis.com",
            ["methodName"] = "google.cloud.bigquery.v2.JobService.InsertJob",
            ["resourceName"] = $"projects/{job.ProjectId}/jobs/{job.JobId}",
            ["metadata"] = new Dictionary<string, object>
            {
                ["@type"] = "type.googleapis.com/google.cloud.audit.BigQueryAuditMetadata",
                ["jobChange"] = new
                {
                    before = "RUNNING",
                    after = "DONE",
                    job = new
                    {
                        jobName = $"projects/{job.ProjectId}/jobs/{job.JobId}",
                        jobConfig = new { type = Type(job.Type) },
                        jobStatus = job.ErrorReason is null
                            ? (object)new { jobState = "DONE" }
                            : new { jobState = "DONE", errorResult = new { code = 3, message = job.ErrorMessage ?? job.ErrorReason } },
                        jobStats = new { createTime = job.Created, startTime = job.RunningAt, endTime = job.DoneAt },
                    },
                },
            },
        },
    });

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await running;
        stop.Dispose();
    }

    private async Task Run(CancellationToken stopping)
    {
        var random = new Random(Seed);
        while (!stopping.IsCancellationRequested)
        {
            var now = bigQuery.Now;
            var done = bigQuery.Jobs()
                .Where(j => j.StateAt(now) == EmulatedJobState.Done && published.Add((j.ProjectId, j.JobId)))
                .OrderBy(j => j.DoneAt)
                .ToList();
            var kept = done.Where(_ => random.NextDouble() >= DropRate).ToList();
            if (kept.Count > 0)
            {
                await pubsub.Publish(topic, [.. kept.Select(j => Encoding.UTF8.GetBytes(Entry(j)))]);
            }

            Counts = (Counts.Published + kept.Count, Counts.Dropped + done.Count - kept.Count);
            try
            {
                await Task.Delay(Interval, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Type(EmulatedJobType type) => type switch
    {
        EmulatedJobType.Query => "QUERY",
        EmulatedJobType.Load => "IMPORT",
        EmulatedJobType.Copy => "COPY",
        _ => "EXPORT",
    };
}
