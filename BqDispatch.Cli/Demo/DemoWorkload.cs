using System.Text;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Cli.Demo;

/// <summary>
/// A realistic little workload, laid out the way BqTail leaves it: traces in two projects and regions whose
/// jobs finish over the next seconds (one fails), busy query slots that make the throttle bite, a legacy
/// root trace, batch windows coming due, an orphan trace and a group counter.
/// </summary>
public static class DemoWorkload
{
    public const string Tasks = "gs://demo-dispatch/BqDispatch/Tasks/";
    public const string Trigger = "gs://demo-trigger";
    private const string TasksBucket = "demo-dispatch";
    private const string TasksPrefix = "BqDispatch/Tasks/";
    private const string Tail = "bqtail@demo.iam.gserviceaccount.com";
    private const string Analyst = "analyst@demo.example";

    public static string Config => $$"""
        {
          "ProjectID": "demo-main",
          "AsyncTaskURL": "{{Tasks}}",
          "TriggerBucket": "{{Trigger}}",
          "JournalURL": "gs://demo-ops/BqDispatch/Journal/",
          "ErrorURL": "gs://demo-ops/BqDispatch/errors/",
          "MaxConcurrentSQL": 3,
          "MaxConcurrentLoad": 4,
          "ReservationTtlSec": 6
        }
        """;

    public static void Seed(CloudStorageEmulator store, BigQueryEmulator bigQuery, DateTimeOffset now)
    {
        foreach (var bucket in new[] { "demo-dispatch", "demo-trigger", "demo-ops" })
        {
            store.CreateBucket(bucket);
        }

        // analytics (US): queries finishing every two seconds; two analysts' queries keep slots busy.
        for (var i = 0; i < 6; i++)
        {
            Traced(store, bigQuery, now, "analytics", "US", $"reports.daily_{i}--{7100 + i}_00002_query--dispatch",
                EmulatedJobType.Query, doneAfter: TimeSpan.FromSeconds(2 * i), error: i == 3 ? "invalidQuery" : null);
        }

        foreach (var i in new[] { 1, 2 })
        {
            bigQuery.AddJob(new EmulatedJob("analytics", $"adhoc_{i}", "US", EmulatedJobType.Query, Analyst, now - TimeSpan.FromMinutes(3))
            {
                RunningAt = now - TimeSpan.FromMinutes(3),
                DoneAt = now + TimeSpan.FromSeconds(9 * i),
            });
        }

        // ingest (EU): loads and the copies that follow them; two are still running when the demo ends.
        for (var i = 0; i < 8; i++)
        {
            var action = i % 3 == 2 ? "copy" : "load";
            Traced(store, bigQuery, now, "ingest", "EU", $"events.clicks_{i}--{8800 + i}_00001_{action}--dispatch",
                action == "copy" ? EmulatedJobType.Copy : EmulatedJobType.Load,
                doneAfter: i < 6 ? TimeSpan.FromSeconds(i * 2.5) : null);
        }

        // A legacy trace at the root: the configured project, no location.
        Traced(store, bigQuery, now, "demo-main", null, "legacy.t--42_00001_export--dispatch", EmulatedJobType.Extract, TimeSpan.Zero);

        // Batch windows: one already due, two coming due during the demo.
        foreach (var endsIn in new[] { -20, 4, 10 })
        {
            var end = now.ToUnixTimeSeconds() + endsIn;
            Put(store, $"analytics:events.clicks_{Math.Abs(endsIn)}_{end}.win",
                $"{{\"DestTable\":\"analytics:events.clicks\",\"End\":\"{DateTimeOffset.FromUnixTimeSeconds(end):O}\"}}", now - TimeSpan.FromSeconds(60));
        }

        // A trace whose job was never inserted, written more than a day ago, and a group counter.
        Put(store, "proj:ingest:EU/events.lost--9_00001_load--dispatch", "{}", now - TimeSpan.FromHours(26));
        Put(store, "events.clicks_1763800000.grp", "2", now - TimeSpan.FromMinutes(5));
    }

    private static void Traced(
        CloudStorageEmulator store, BigQueryEmulator bigQuery, DateTimeOffset now, string project, string? region, string name,
        EmulatedJobType type, TimeSpan? doneAfter, string? error = null)
    {
        var traced = now - TimeSpan.FromMinutes(2);
        var folder = region is null ? "" : $"proj:{project}:{region}/";
        Put(store, folder + name, $"{{\"Action\":\"{type}\",\"Meta\":{{\"ProjectID\":\"{project}\"}}}}", traced);
        var jobId = name.Replace(':', '_').Replace('.', '_').Replace('$', '_');
        bigQuery.AddJob(new EmulatedJob(project, jobId, region ?? "US", type, Tail, traced + TimeSpan.FromSeconds(1))
        {
            RunningAt = traced + TimeSpan.FromSeconds(2),
            DoneAt = doneAfter is { } after ? now + after : null,
            ErrorReason = error,
        });
    }

    /// <summary>Writes an object into the task folder as BqTail would have.</summary>
    private static void Put(CloudStorageEmulator store, string relativeName, string content, DateTimeOffset created) =>
        store.Seed(TasksBucket, TasksPrefix + relativeName, Encoding.UTF8.GetBytes(content), created);
}
