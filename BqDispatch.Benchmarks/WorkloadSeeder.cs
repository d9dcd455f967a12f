using System.Text;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks;

/// <summary>Lays a workload out in the emulators the way BqTail leaves things: trace files, their jobs, windows.</summary>
public static class WorkloadSeeder
{
    public const string TasksBucket = "bench-dispatch";
    public const string TasksPrefix = "BqDispatch/Tasks/";
    private const string Tail = "bqtail@bench.iam.gserviceaccount.com";

    public static void Seed(Workload workload, DateTimeOffset now, CloudStorageEmulator storage, BigQueryEmulator bigQuery)
    {
        foreach (var bucket in new[] { TasksBucket, "bench-trigger", "bench-ops" })
        {
            storage.CreateBucket(bucket);
        }

        // Trace files are a few KB in real life: 1 KB keeps the copies honest.
        var content = Encoding.UTF8.GetBytes("{\"Action\":\"load\",\"Meta\":{\"DestTable\":\"ds.t\"}," + new string(' ', 900) + "}");
        foreach (var trace in workload.TraceSpecs(now))
        {
            storage.Seed(TasksBucket, $"{TasksPrefix}{trace.Folder}/{trace.FileName}", content, trace.Created);
            var type = trace.Action switch { "load" => EmulatedJobType.Load, "query" => EmulatedJobType.Query, _ => EmulatedJobType.Copy };
            bigQuery.AddJob(new EmulatedJob(trace.Project, trace.JobId, trace.Region, type, Tail, trace.Created + TimeSpan.FromMilliseconds(100))
            {
                RunningAt = trace.Created + TimeSpan.FromMilliseconds(200),
                DoneAt = trace.Done ? trace.Created + TimeSpan.FromSeconds(1) : null,
            });
        }

        for (var i = 0; i < workload.RunningLoads; i++)
        {
            var project = Workload.Projects[i % Workload.Projects.Length];
            bigQuery.AddJob(new EmulatedJob(project, $"other_load_{i}", "US", EmulatedJobType.Load, "etl@bench.example", now - TimeSpan.FromMinutes(1))
            {
                RunningAt = now - TimeSpan.FromMinutes(1),
                DoneAt = now + TimeSpan.FromSeconds((i + 1) * workload.RunningLoadsFinishEverySec),
            });
        }

        var end = now.ToUnixTimeSeconds() - 60;
        for (var i = 0; i < workload.Windows; i++)
        {
            storage.Seed(TasksBucket, $"{TasksPrefix}p-sales:ds.w{i}_{i}_{end}.win", "{}"u8, now - TimeSpan.FromMinutes(2));
        }
    }
}
