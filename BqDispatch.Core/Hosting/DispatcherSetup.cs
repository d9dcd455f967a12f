using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// Everything a host (the CLI, the Functions app) needs to run the dispatcher, built the same way for both:
/// the configuration, the storage router, the BigQuery client, and the activity bodies over them.
/// </summary>
public sealed class DispatcherSetup : IDisposable
{
    private readonly HttpClient http;

    private DispatcherSetup(DispatchConfig config, IObjectStore store, HttpClient http, DispatchActivities activities)
    {
        Config = config;
        Store = store;
        this.http = http;
        Activities = activities;
    }

    public DispatchConfig Config { get; }

    public IObjectStore Store { get; }

    public DispatchActivities Activities { get; }

    /// <summary>
    /// Loads the configuration from <paramref name="configSource"/> (JSON text, a path or a URL), or from the CONFIG
    /// variable when it is null, and builds the clients. Throws <see cref="ConfigException"/> for a bad configuration.
    /// </summary>
    public static async Task<DispatcherSetup> Create(
        string? configSource, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellation)
    {
        var store = new StorageRouter(new MemoryStore(), new FileStore());
        var config = await ConfigLoader.Load(
            configSource ?? environment.GetValueOrDefault("CONFIG") ?? "", environment, store.Read, cancellation);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var jobs = new JobsRestClient(http, JobsRestClient.BaseUrlFrom(environment));
        return new DispatcherSetup(config, store, http, DispatchActivities.Create(config, store, jobs));
    }

    /// <summary>The orchestration input of one run.</summary>
    public RunSettings Settings(int? maxCycles = null) => RunSettings.From(Config, maxCycles);

    public void Dispose() => http.Dispose();
}
