using System.Text;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Google;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using Newtonsoft.Json.Linq;

namespace BqDispatch.Tests.Support;

/// <summary>Which storage backend a fixture runs on.</summary>
public enum StorageKind
{
    /// <summary>mem://, the in-process store.</summary>
    Memory,

    /// <summary>gs://, the real Cloud Storage client over HTTP to the emulator.</summary>
    CloudStorage,
}

/// <summary>
/// The acceptance fixture of reference §8.5: AsyncTaskURL &lt;scheme&gt;://disp/BqDispatch/Tasks/, trigger bucket
/// &lt;scheme&gt;://trig, journal &lt;scheme&gt;://ops/Journal/, ProjectID cfgp, on a virtual UTC clock. The dispatcher
/// runs on the in-process engine with the real storage client and the real REST client talking HTTP to the
/// BigQuery emulator.
/// </summary>
public sealed class DispatchFixture : IAsyncDisposable
{
    public const string TasksPath = "disp/BqDispatch/Tasks/";

    public static readonly DateTimeOffset Start = new(2023, 11, 14, 22, 13, 28, TimeSpan.Zero);

    private readonly HttpClient http = new();

    private RunCarryOver? carried;

    private DispatchFixture(ManualClock clock, TestStorage store, BigQueryEmulator bigQuery, DispatchConfig config)
    {
        Clock = clock;
        Store = store;
        BigQuery = bigQuery;
        Config = config;
    }

    public ManualClock Clock { get; }

    public TestStorage Store { get; }

    public string Tasks => Url(TasksPath);

    public string Journal => Url("ops/Journal/");

    public string Errors => Url("ops/errors/");

    public BigQueryEmulator BigQuery { get; }

    public DispatchConfig Config { get; }

    public ProjectThrottles Throttles { get; } = new();

    public List<string> Log { get; } = [];

    /// <param name="retry">Retry policy of the gs:// client (tests default to a fast one).</param>
    /// <param name="rewriteChunkBytes">Makes the Cloud Storage emulator need several rewrite rounds per object.</param>
    public static async Task<DispatchFixture> Create(
        StorageKind kind, object? settings = null, DateTimeOffset? start = null, RetryPolicy? retry = null, long rewriteChunkBytes = 0)
    {
        var clock = new ManualClock(start ?? Start);
        TestStorage store = kind switch
        {
            StorageKind.CloudStorage => await CloudStorageTestStorage.Start(() => clock.UtcNow, retry, rewriteChunkBytes),
            _ => new MemoryTestStorage(() => clock.UtcNow),
        };
        foreach (var bucket in new[] { "disp", "trig", "ops" })
        {
            store.CreateBucket(bucket);
        }

        var bigQuery = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions { Clock = () => clock.UtcNow });
        foreach (var project in new[] { "cfgp", "p1", "p2" })
        {
            bigQuery.AddProject(project);
        }

        return new DispatchFixture(clock, store, bigQuery, ConfigWith(settings, store.Scheme));
    }

    public static string SchemeOf(StorageKind kind) => kind switch
    {
        StorageKind.CloudStorage => StorageUrl.GsScheme,
        _ => StorageUrl.MemScheme,
    };

    /// <summary>The fixture's configuration on <paramref name="scheme"/> storage, with <paramref name="settings"/> merged in.</summary>
    public static DispatchConfig ConfigWith(object? settings, string scheme = StorageUrl.MemScheme)
    {
        var json = JObject.FromObject(new
        {
            ProjectID = "cfgp",
            AsyncTaskURL = $"{scheme}://{TasksPath}",
            TriggerBucket = $"{scheme}://trig",
            JournalURL = $"{scheme}://ops/Journal/",
            ErrorURL = $"{scheme}://ops/errors/",
        });
        if (settings is not null)
        {
            json.Merge(JObject.FromObject(settings));
        }

        return ConfigLoader.Parse(json.ToString(), new Dictionary<string, string?>());
    }

    /// <summary>A URL on this fixture's storage: "trig/_batch_/x.win" → "&lt;scheme&gt;://trig/_batch_/x.win".</summary>
    public string Url(string bucketAndPath) => $"{Store.Scheme}://{bucketAndPath}";

    /// <summary>A trace file written <paramref name="age"/> ago, with content that names it.</summary>
    public StoredObject Trace(string relativeName, TimeSpan age) =>
        Store.Seed(Tasks + relativeName, Encoding.UTF8.GetBytes($"{{\"trace\":\"{relativeName}\"}}"), Clock.UtcNow - age);

    public StoredObject Object(string url, string content, TimeSpan age) =>
        Store.Seed(url, Encoding.UTF8.GetBytes(content), Clock.UtcNow - age);

    /// <summary>A BigQuery job in a given state now; created a moment after <paramref name="created"/> (its trace).</summary>
    public EmulatedJob Job(
        string project, string jobId, EmulatedJobType type, EmulatedJobState state,
        string location = "US", DateTimeOffset? created = null, string? errorReason = null,
        string user = "dispatcher@example.iam.gserviceaccount.com", EmulatedTable? destination = null)
    {
        var at = (created ?? Clock.UtcNow - TimeSpan.FromSeconds(30)) + TimeSpan.FromMilliseconds(100);
        var job = new EmulatedJob(project, jobId, location, type, user, at)
        {
            RunningAt = state == EmulatedJobState.Pending ? null : at,
            DoneAt = state == EmulatedJobState.Done ? at + TimeSpan.FromMilliseconds(10) : null,
            ErrorReason = errorReason,
            Destination = destination,
        };
        BigQuery.AddJob(job);
        return job;
    }

    public DispatchActivities Activities() =>
        DispatchActivities.Create(Config, Store, new JobsRestClient(http, BigQuery.BaseUrl.ToString()));

    public Task<StatusDocument> Run(int? maxCycles = 1, CancellationToken stop = default) =>
        Run(Activities(), maxCycles, stop);

    public Task<StatusDocument> Run(DispatchActivities activities, int? maxCycles = 1, CancellationToken stop = default)
    {
        var engine = new InProcessEngine(activities, Throttles, Clock, line => { lock (Log) { Log.Add(line); } }, stop, ledger: Ledger);
        return DispatchRun.Execute(engine, RunSettings.From(Config, maxCycles));
    }

    /// <summary>The completion ledger the runs share (with events on in the configuration, they reconcile with it).</summary>
    public SharedLedger Ledger { get; } = new();

    /// <summary>
    /// The next run of this fixture's one dispatcher chain, as the service runs them back to back, a cycle pause apart: it
    /// starts from what the previous chained run carried over (e.g. which of its hand-offs failed, so their claims are its own).
    /// </summary>
    public async Task<StatusDocument> RunChained(int? maxCycles = 1)
    {
        var settings = RunSettings.From(Config, maxCycles);
        if (carried is not null)
        {
            Clock.Advance(settings.Pause);
        }

        var engine = new InProcessEngine(Activities(), Throttles, Clock, line => { lock (Log) { Log.Add(line); } }, CancellationToken.None);
        var result = await DispatchRun.Continue(engine, settings, carried ?? RunCarryOver.None);
        carried = result.CarryOver;
        return result.Status;
    }

    /// <summary>What a restarted dispatcher waits for: claims of the one that died run out.</summary>
    public void WaitOutClaims() => Clock.Advance(HandOffClaims.Lease);

    public string Read(string url) => Encoding.UTF8.GetString(Store.Read(url, CancellationToken.None).GetAwaiter().GetResult());

    public IReadOnlyList<string> ObjectsUnder(string folderUrl) => AllObjects(folderUrl).ToList();

    private IEnumerable<string> AllObjects(string folderUrl)
    {
        var listing = Store.List(folderUrl, CancellationToken.None).GetAwaiter().GetResult();
        return listing.Objects.Select(o => o.Url).Concat(listing.Folders.SelectMany(AllObjects));
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await BigQuery.DisposeAsync();
        await Store.DisposeAsync();
    }
}
