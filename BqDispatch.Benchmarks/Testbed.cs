using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Google;
using BqDispatch.Core.Storage.Gcs;

namespace BqDispatch.Benchmarks;

/// <summary>
/// The dispatcher's side of a benchmark: its real HTTP clients (with the retry policy) pointed at the emulator
/// process, and the counts of the workload that give the lower bound of calls.
/// </summary>
public sealed class Testbed : IAsyncDisposable
{
    private readonly HttpClient http;

    private Testbed(Workload workload, DateTimeOffset now, EmulatorProcess emulators)
    {
        Workload = workload;
        Now = now;
        Emulators = emulators;
        ConfigJson = $$"""
            {"ProjectID":"p-sales","AsyncTaskURL":"gs://{{WorkloadSeeder.TasksBucket}}/{{WorkloadSeeder.TasksPrefix}}","TriggerBucket":"gs://bench-trigger",
             "JournalURL":"gs://bench-ops/Journal/","ErrorURL":"gs://bench-ops/errors/",
             "MaxConcurrentLoad":{{workload.MaxConcurrentLoad}},"ReservationTtlSec":{{workload.ReservationTtlSec}},
             "CyclePauseMs":10,"TimeToLiveInMin":30}
            """;
        Config = ConfigLoader.Parse(ConfigJson, new Dictionary<string, string?>());
        http = new HttpClient(new RetryHandler { InnerHandler = new SocketsHttpHandler { MaxConnectionsPerServer = 512 } });
        Jobs = new JobsRestClient(http, emulators.Endpoints.BigQuery);
        Activities = DispatchActivities.Create(Config, new GcsStore(http, emulators.Endpoints.Storage), Jobs);

        FolderObjects["(root)"] = workload.Windows;
        foreach (var trace in workload.TraceSpecs(now))
        {
            FolderObjects[trace.Folder] = FolderObjects.GetValueOrDefault(trace.Folder) + 1;
            ProjectJobs[trace.Project] = ProjectJobs.GetValueOrDefault(trace.Project) + 1;
        }

        for (var i = 0; i < workload.RunningLoads; i++)
        {
            var project = Workload.Projects[i % Workload.Projects.Length];
            ProjectJobs[project] = ProjectJobs.GetValueOrDefault(project) + 1;
        }
    }

    public Workload Workload { get; }

    public DateTimeOffset Now { get; }

    public EmulatorProcess Emulators { get; }

    /// <summary>The dispatcher's configuration (short pauses, a long budget), as JSON and parsed.</summary>
    public string ConfigJson { get; }

    public DispatchConfig Config { get; }

    public JobsRestClient Jobs { get; }

    public DispatchActivities Activities { get; }

    /// <summary>Objects per listed folder (root included) and jobs per project, for the lower bound of calls.</summary>
    public Dictionary<string, int> FolderObjects { get; } = [];

    public Dictionary<string, int> ProjectJobs { get; } = [];

    public static async Task<Testbed> Create(Workload workload, DateTimeOffset now) =>
        new(workload, now, await EmulatorProcess.Start(workload, now));

    /// <summary>Every traced job that is not DONE: what a per-job poller asks about on each poll.</summary>
    public List<JobLookup> Pending() =>
        Workload.TraceSpecs(Now).Where(t => !t.Done).Select(t => new JobLookup(t.Project, t.Region, t.JobId, t.Created)).ToList();

    /// <summary>
    /// The fewest calls a cycle could make: one list page per 1,000 objects or jobs (at least one per folder and per
    /// project), three calls per hand-off (claim, copy, delete) and per window (claim, copy, marker), the performance.json
    /// write, the status.json write of the run and its queue.json write (each measured cycle is a run of its own, and a
    /// run writes queue.json at its first cycle).
    /// </summary>
    public long LowerBound(int handOffs, int windows) =>
        FolderObjects.Values.Sum(Pages) + ProjectJobs.Values.Sum(Pages) + 3L * handOffs + 3L * windows + 3;

    /// <summary>Takes handed-off traces out of the folder counts as a drain goes on (traces are spread evenly).</summary>
    public void Remove(int handedOff)
    {
        var folders = FolderObjects.Keys.Where(k => k != "(root)").ToList();
        foreach (var key in folders)
        {
            FolderObjects[key] = Math.Max(0, FolderObjects[key] - (handedOff / folders.Count));
        }
    }

    private static int Pages(int items) => Math.Max(1, (items + 999) / 1000);

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await Emulators.DisposeAsync();
    }
}
