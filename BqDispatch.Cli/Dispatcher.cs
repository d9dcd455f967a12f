using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Cli;

/// <summary>A configured self-hosted dispatcher: storage, BigQuery client, activities and lanes, kept across runs.</summary>
public sealed class Dispatcher : IDisposable
{
    private readonly HttpClient http;
    private readonly DispatchActivities activities;
    private readonly ThrottleLanes lanes = new();
    private readonly TextWriter log;

    private Dispatcher(DispatchConfig config, HttpClient http, DispatchActivities activities, TextWriter log)
    {
        Config = config;
        this.http = http;
        this.activities = activities;
        this.log = log;
    }

    public DispatchConfig Config { get; }

    public static async Task<Dispatcher> Create(
        string? configSource, IReadOnlyDictionary<string, string?> environment, TextWriter log, CancellationToken cancellation)
    {
        var store = Stores.Create();
        var config = await ConfigLoader.Load(
            configSource ?? environment.GetValueOrDefault("CONFIG") ?? "", environment, store.Read, cancellation);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var jobs = new JobsRestClient(http, JobsRestClient.BaseUrlFrom(environment));
        return new Dispatcher(config, http, DispatchActivities.Create(config, store, jobs), log);
    }

    public Task<StatusDocument> RunOnce(int? maxCycles, CancellationToken stopping)
    {
        var engine = new InProcessEngine(activities, lanes, SystemClock.Instance, line => log.WriteLine(line), stopping);
        return DispatchRun.Execute(engine, RunSettings.From(Config, maxCycles));
    }

    public void Dispose() => http.Dispose();
}
