using System.Text;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Google;
using BqDispatch.Core.Storage.Gcs;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks;

/// <summary>Both emulators on 127.0.0.1, seeded with a workload, and the dispatcher's real HTTP clients pointed at them.</summary>
public sealed class Testbed : IAsyncDisposable
{
    public const string Tasks = "gs://bench-dispatch/BqDispatch/Tasks/";
    private const string Tail = "bqtail@bench.iam.gserviceaccount.com";

    private readonly HttpClient http;

    private Testbed(CloudStorageEmulator storage, BigQueryEmulator bigQuery, DispatchConfig config, List<JobLookup> pending)
    {
        Storage = storage;
        BigQuery = bigQuery;
        Config = config;
        Pending = pending;
        http = new HttpClient(new RetryHandler { InnerHandler = new SocketsHttpHandler { MaxConnectionsPerServer = 512 } });
        Jobs = new JobsRestClient(http, bigQuery.BaseUrl.ToString());
        Activities = DispatchActivities.Create(config, new GcsStore(http, storage.BaseUrl.ToString()), Jobs);
    }

    public CloudStorageEmulator Storage { get; }

    public BigQueryEmulator BigQuery { get; }

    public DispatchConfig Config { get; }

    public IJobsClient Jobs { get; }

    public DispatchActivities Activities { get; }

    /// <summary>Every traced job that is not DONE: what a per-job poller would ask about each poll.</summary>
    public List<JobLookup> Pending { get; }

    /// <summary>Objects per listed folder (root first) and traced jobs per project, for the lower bound of calls.</summary>
    public Dictionary<string, int> FolderObjects { get; } = [];

    public Dictionary<string, int> ProjectJobs { get; } = [];

    public static async Task<Testbed> Create(Workload workload, DateTimeOffset now)
    {
        var storage = await CloudStorageEmulator.StartAsync();
        var bigQuery = await BigQueryEmulator.StartAsync();
        foreach (var bucket in new[] { "bench-dispatch", "bench-trigger", "bench-ops" })
        {
            storage.CreateBucket(bucket);
        }

        var config = ConfigLoader.Parse(
            $$"""
            {"ProjectID":"p-sales","AsyncTaskURL":"{{Tasks}}","TriggerBucket":"gs://bench-trigger",
             "JournalURL":"gs://bench-ops/Journal/","ErrorURL":"gs://bench-ops/errors/",
             "MaxConcurrentLoad":{{workload.MaxConcurrentLoad}},"ReservationTtlSec":{{workload.ReservationTtlSec}},
             "CyclePauseMs":10,"TimeToLiveInMin":30}
            """,
            new Dictionary<string, string?>());
        var testbed = new Testbed(storage, bigQuery, config, []);
        testbed.Seed(workload, now);
        return testbed;
    }

    private void Seed(Workload workload, DateTimeOffset now)
    {
        var content = Encoding.UTF8.GetBytes("{\"Action\":\"load\",\"Meta\":{\"DestTable\":\"ds.t\"}," + new string(' ', 900) + "}");
        FolderObjects["(root)"] = workload.Windows;
        for (var i = 0; i < workload.Traces; i++)
        {
            var project = Workload.Projects[i % Workload.Projects.Length];
            var region = Workload.Regions[i / Workload.Projects.Length % Workload.Regions.Length];
            var action = workload.MaxConcurrentLoad > 0 ? "load" : (i % 3) switch { 0 => "load", 1 => "query", _ => "copy" };
            var done = Math.Floor((i + 1) * workload.DoneFraction) > Math.Floor(i * workload.DoneFraction);
            var created = now - TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(workload.Traces - i);
            var folder = $"proj:{project}:{region}";
            Storage.Seed("bench-dispatch", $"BqDispatch/Tasks/{folder}/ds.t{i}--{i}_00001_{action}--dispatch", content, created);
            FolderObjects[folder] = FolderObjects.GetValueOrDefault(folder) + 1;

            var jobId = $"ds_t{i}--{i}_00001_{action}--dispatch";
            var type = action switch { "load" => EmulatedJobType.Load, "query" => EmulatedJobType.Query, _ => EmulatedJobType.Copy };
            BigQuery.AddJob(new EmulatedJob(project, jobId, region, type, Tail, created + TimeSpan.FromMilliseconds(100))
            {
                RunningAt = created + TimeSpan.FromMilliseconds(200),
                DoneAt = done ? created + TimeSpan.FromSeconds(1) : null,
            });
            ProjectJobs[project] = ProjectJobs.GetValueOrDefault(project) + 1;
            if (!done)
            {
                Pending.Add(new JobLookup(project, region, jobId, created));
            }
        }

        for (var i = 0; i < workload.RunningLoads; i++)
        {
            var project = Workload.Projects[i % Workload.Projects.Length];
            BigQuery.AddJob(new EmulatedJob(project, $"other_load_{i}", "US", EmulatedJobType.Load, "etl@bench.example", now - TimeSpan.FromMinutes(1))
            {
                RunningAt = now - TimeSpan.FromMinutes(1),
                DoneAt = now + TimeSpan.FromSeconds((i + 1) * workload.RunningLoadsFinishEverySec),
            });
            ProjectJobs[project] = ProjectJobs.GetValueOrDefault(project) + 1;
        }

        var end = now.ToUnixTimeSeconds() - 60;
        for (var i = 0; i < workload.Windows; i++)
        {
            Storage.Seed("bench-dispatch", $"BqDispatch/Tasks/p-sales:ds.w{i}_{i}_{end}.win", "{}"u8, now - TimeSpan.FromMinutes(2));
        }
    }

    /// <summary>
    /// The fewest calls a cycle could make: one list page per 1,000 objects or jobs (at least one per folder and per
    /// project), two calls per hand-off (copy, delete) and per window (copy, marker), and the performance.json write.
    /// </summary>
    public long LowerBound(int handOffs, int windows) =>
        FolderObjects.Values.Sum(n => Pages(n)) + ProjectJobs.Values.Sum(n => Pages(n)) + 2L * handOffs + 2L * windows + 1;

    /// <summary>Takes <paramref name="handedOff"/> traces out of the counts, as a drain goes on.</summary>
    public void Remove(int handedOff)
    {
        foreach (var key in FolderObjects.Keys.Where(k => k != "(root)").ToList())
        {
            FolderObjects[key] = Math.Max(0, FolderObjects[key] - (handedOff / (FolderObjects.Count - 1)));
        }
    }

    private static int Pages(int items) => Math.Max(1, (items + 999) / 1000);

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await Storage.DisposeAsync();
        await BigQuery.DisposeAsync();
    }
}
