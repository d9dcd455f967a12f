using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
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

    private DispatcherSetup(DispatchConfig config, IObjectStore store, List<HttpClient> clients, DispatchActivities activities)
    {
        Config = config;
        Store = store;
        this.clients = clients;
        Activities = activities;
    }

    public DispatchConfig Config { get; }

    public IObjectStore Store { get; }

    public DispatchActivities Activities { get; }

    /// <summary>
    /// Loads the configuration from <paramref name="configSource"/> (JSON text, a path or a URL), or from the CONFIG
    /// variable when it is null, and builds the clients. Google credentials are looked up only for the APIs in use
    /// (Cloud Storage only when a location is gs://). Throws <see cref="ConfigException"/> for a bad configuration and
    /// <see cref="GoogleAccessException"/> when credentials are needed but missing.
    /// </summary>
    public static async Task<DispatcherSetup> Create(
        string? configSource, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellation)
    {
        var source = configSource ?? environment.GetValueOrDefault("CONFIG") ?? "";
        var router = new StorageRouter(new MemoryStore(), new FileStore());
        var clients = new List<HttpClient>();
        try
        {
            GoogleAccess? bigQueryAccess = null;
            if (source.TrimStart().StartsWith("gs://", StringComparison.Ordinal))
            {
                bigQueryAccess = await RegisterCloudStorage(router, clients, environment, cancellation);
            }

            var config = await ConfigLoader.Load(source, environment, router.Read, cancellation);
            if (bigQueryAccess is null && UsesCloudStorage(config))
            {
                bigQueryAccess = await RegisterCloudStorage(router, clients, environment, cancellation);
            }

            bigQueryAccess ??= await GoogleAccess.ForBigQuery(environment, null, cancellation);
            var jobs = new JobsRestClient(Client(bigQueryAccess, clients), JobsRestClient.BaseUrlFrom(environment));
            return new DispatcherSetup(config, router, clients, DispatchActivities.Create(config, router, jobs));
        }
        catch
        {
            clients.ForEach(c => c.Dispose());
            throw;
        }
    }

    /// <summary>The orchestration input of one run.</summary>
    public RunSettings Settings(int? maxCycles = null) => RunSettings.From(Config, maxCycles);

    public void Dispose() => clients.ForEach(c => c.Dispose());

    private static bool UsesCloudStorage(DispatchConfig config) =>
        new[] { config.AsyncTaskURL, config.JournalURL, config.ErrorURL, config.TriggerBaseUrl }
            .Any(url => url.StartsWith("gs://", StringComparison.Ordinal));

    // One credential lookup for both APIs; returns BigQuery's access.
    private static async Task<GoogleAccess> RegisterCloudStorage(
        StorageRouter router, List<HttpClient> clients, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellation)
    {
        var access = await GoogleAccess.ForStorageAndBigQuery(environment, null, cancellation);
        router.Register(StorageUrl.GsScheme, new GcsStore(Client(access.Storage, clients), GcsStore.BaseUrlFrom(environment)));
        return access.BigQuery;
    }

    private static HttpClient Client(GoogleAccess access, List<HttpClient> clients)
    {
        var client = GoogleHttp.CreateClient(access, new RetryHandler(), CallTimeout);
        clients.Add(client);
        return client;
    }
}
