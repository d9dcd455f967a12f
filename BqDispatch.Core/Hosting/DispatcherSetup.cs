using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Google;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Storage.Gcs;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// Everything a host (the CLI, the Functions app) needs to run the dispatcher, built the same way for both:
/// the configuration, the storage router (gs://, file://, mem://), the BigQuery client, and the activity bodies.
/// Both Google clients go through the one retry policy, outside authentication, so each retry has a valid token.
/// </summary>
public sealed class DispatcherSetup : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    private readonly List<HttpClient> clients;
    private readonly PubSubClient? pubsub;

    private DispatcherSetup(
        DispatchConfig config,
        IObjectStore store,
        List<HttpClient> clients,
        DispatchActivities activities,
        RetryPolicy retry,
        PubSubClient? pubsub,
        IJobResources resources)
    {
        this.pubsub = pubsub;
        Config = config;
        Store = store;
        this.clients = clients;
        Activities = activities;
        Retry = retry;
        Push = config is { EventAudience: { } audience, EventServiceAccount: { } account }
            ? new PushAuthenticator(audience, account, config.EventKeysURL)
            : null;
        EventPlanner = new EventPlanner(config, new TraceLocator(config, store));
        EventRouter = new EventRouter(RunSettings.From(config).Routes ? activities.Routes : null, resources, TimeProvider.System);
    }

    public DispatchConfig Config { get; }

    public IObjectStore Store { get; }

    public DispatchActivities Activities { get; }

    /// <summary>The check of pushed events' tokens; null when push is not configured (EventAudience, EventServiceAccount).</summary>
    public PushAuthenticator? Push { get; }

    /// <summary>Finds a completed job's trace and plans its hand-off (both event receivers).</summary>
    public EventPlanner EventPlanner { get; }

    /// <summary>Routes a completed job no trace waits for by the route rules (both event receivers).</summary>
    public EventRouter EventRouter { get; }

    /// <summary>The retry policy of every Google call.</summary>
    public RetryPolicy Retry { get; }

    /// <summary>
    /// Loads the configuration from <paramref name="configSource"/> (JSON text, a path or a URL), or from the CONFIG
    /// variable when it is null, and builds the clients. Google credentials are looked up only for the APIs in use
    /// (Cloud Storage only when a location is gs://). Throws <see cref="ConfigException"/> for a bad configuration and
    /// <see cref="GoogleAccessException"/> when credentials are needed but missing. <paramref name="retry"/> is the retry
    /// policy of the Google calls (<see cref="RetryPolicy.Default"/> when null).
    /// </summary>
    public static async Task<DispatcherSetup> Create(
        string? configSource, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellation, RetryPolicy? retry = null)
    {
        var policy = retry ?? RetryPolicy.Default;
        var source = configSource ?? environment.GetValueOrDefault("CONFIG") ?? "";
        var memory = new MemoryStore();
        var clients = new List<HttpClient>();
        try
        {
            // The configuration is read on its own (file:// by the loader), with answers capped at its size limit.
            var configReader = new StorageRouter().Register(StorageUrl.MemScheme, memory);
            GoogleAccessSet? google = null;
            if (source.TrimStart().StartsWith("gs://", StringComparison.Ordinal))
            {
                google = await GoogleAccess.ForStorageAndBigQuery(environment, null, cancellation);
                configReader.Register(StorageUrl.GsScheme, CloudStorage(google.Storage, policy with { MaxResponseBytes = ConfigLoader.MaxBytes }, environment, clients));
            }

            var config = await ConfigLoader.Load(source, environment, configReader.Read, cancellation);
            var router = new StorageRouter(memory, new FileStore(locations: FileLocations(config)));
            if (UsesCloudStorage(config))
            {
                google ??= await GoogleAccess.ForStorageAndBigQuery(environment, null, cancellation);
                router.Register(StorageUrl.GsScheme, CloudStorage(google.Storage, policy, environment, clients));
            }

            var bigQueryAccess = google?.BigQuery ?? await GoogleAccess.ForBigQuery(environment, null, cancellation);
            var jobs = new JobsRestClient(Client(bigQueryAccess, clients, policy), JobsRestClient.BaseUrlFrom(environment));
            var pubsub = config.EventSubscription is null ? null : PubSub(bigQueryAccess, environment, clients);
            return new DispatcherSetup(config, router, clients, DispatchActivities.Create(config, router, jobs), policy, pubsub, jobs);
        }
        catch
        {
            clients.ForEach(c => c.Dispose());
            throw;
        }
    }

    /// <summary>
    /// The pull receiver of completion events from EventSubscription (null when it is not set), handing off on the
    /// process's <paramref name="throttles"/> and recording in its <paramref name="ledger"/>, both shared with the cycles.
    /// </summary>
    public EventReceiver? Receiver(ProjectThrottles throttles, SharedLedger ledger, Action<string> log) =>
        pubsub is null || Config.EventSubscription is not { } subscription
            ? null
            : new EventReceiver(
                pubsub, subscription, ledger, new EventHandOff(EventPlanner, Activities.HandOffs, throttles, EventRouter, TimeProvider.System), TimeProvider.System, log);

    /// <summary>The orchestration input of one run.</summary>
    public RunSettings Settings(int? maxCycles = null) => RunSettings.From(Config, maxCycles);

    /// <summary>
    /// The project throttles a self-hosted dispatcher keeps in <c>JournalURL/throttle.json</c>, as the last one left them.
    /// </summary>
    public Task<ProjectThrottles> KeptThrottles(CancellationToken cancellation) =>
        ProjectThrottles.Load(Store, Config.JournalURL + ProjectThrottles.StateFile, cancellation);

    /// <summary>
    /// One run on the in-process engine (the CLI's). Every Google call of the run ends at the latest one attempt's
    /// timeout after the run's budget (<see cref="CallDeadline"/>): a slow or hostile service can fail the calls of the
    /// cycle in flight, never hold the run past its end.
    /// </summary>
    public async Task<StatusDocument> RunInProcess(
        ProjectThrottles throttles, RunSettings settings, Action<string> log, CancellationToken stopping, SharedLedger? ledger = null) =>
        (await ContinueInProcess(throttles, settings, log, stopping, RunCarryOver.None, ledger: ledger)).Status;

    /// <summary>
    /// The same, as one run of a chain of back-to-back runs: it starts from what the previous run <paramref name="carried"/>
    /// over. <paramref name="published"/> sees the status after each cycle; <paramref name="ledger"/> is the completion
    /// ledger the process's event receiver shares.
    /// </summary>
    public async Task<RunResult> ContinueInProcess(
        ProjectThrottles throttles,
        RunSettings settings,
        Action<string> log,
        CancellationToken stopping,
        RunCarryOver carried,
        Action<StatusDocument>? published = null,
        SharedLedger? ledger = null)
    {
        var overrun = Retry.AttemptTimeout > TimeSpan.Zero ? Retry.AttemptTimeout : TimeSpan.Zero;
        using var deadline = CallDeadline.Until(DateTimeOffset.UtcNow + settings.Budget + overrun);
        var engine = new InProcessEngine(Activities, throttles, SystemClock.Instance, log, stopping, published, ledger);
        return await DispatchRun.Continue(engine, settings, carried);
    }

    public void Dispose() => clients.ForEach(c => c.Dispose());

    private static IEnumerable<string> Locations(DispatchConfig config) =>
        [config.AsyncTaskURL, config.JournalURL, config.ErrorURL, config.TriggerBaseUrl, .. string.IsNullOrEmpty(config.RulesURL) ? [] : new[] { config.RulesURL }];

    private static bool UsesCloudStorage(DispatchConfig config) =>
        Locations(config).Any(url => url.StartsWith("gs://", StringComparison.Ordinal));

    // The file store serves the configured folders only, and follows no link below them.
    private static List<string> FileLocations(DispatchConfig config) =>
        Locations(config).Where(url => url.StartsWith("file://", StringComparison.Ordinal)).Select(url => StorageUrl.Parse(url).LocalPath).ToList();

    // An emulator is called unauthenticated; Pub/Sub itself with the cloud-platform token BigQuery uses. No retries here:
    // the pull loop repeats itself and an unacknowledged message comes back.
    private static PubSubClient PubSub(GoogleAccess access, IReadOnlyDictionary<string, string?> environment, List<HttpClient> clients)
    {
        var emulated = !string.IsNullOrEmpty(environment.GetValueOrDefault(PubSubClient.EmulatorHostVariable));
        var client = emulated ? new HttpClient { Timeout = CallTimeout } : GoogleHttp.CreateClient(access, null, CallTimeout);
        clients.Add(client);
        return new PubSubClient(client, PubSubClient.BaseUrlFrom(environment));
    }

    private static GcsStore CloudStorage(GoogleAccess access, RetryPolicy retry, IReadOnlyDictionary<string, string?> environment, List<HttpClient> clients) =>
        new(Client(access, clients, retry), GcsStore.BaseUrlFrom(environment));

    private static HttpClient Client(GoogleAccess access, List<HttpClient> clients, RetryPolicy retry)
    {
        var client = GoogleHttp.CreateClient(access, new RetryHandler(retry), CallTimeout);
        clients.Add(client);
        return client;
    }
}
