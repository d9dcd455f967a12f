using BqDispatch.Core.Hosting;
using BqDispatch.Functions;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BqDispatch.DurableHost;

/// <summary>
/// The Functions app without the Functions host: its services wired as Program.cs wires them (AppServices), its
/// Durable functions on a <see cref="LocalTaskHub"/>, and its timer and HTTP functions called the way the host calls
/// them. <see cref="Base"/> stands for the app's address in the URLs the HTTP functions see.
/// </summary>
public sealed class LocalFunctionsApp : IAsyncDisposable
{
    public static readonly Uri Base = new("http://localhost:7071/");

    private readonly ServiceProvider services;

    private LocalFunctionsApp(ServiceProvider services, LocalTaskHub hub, string instanceId)
    {
        this.services = services;
        Hub = hub;
        InstanceId = instanceId;
    }

    public LocalTaskHub Hub { get; }

    public TaskHubDurableClient Client => Hub.Client;

    /// <summary>The dispatcher's singleton instance id (from AsyncTaskURL).</summary>
    public string InstanceId { get; }

    public IServiceProvider Services => services;

    /// <param name="environment">The app settings: CONFIG, and the emulator hosts when they are used.</param>
    /// <param name="configure">Services to add before the app's own (a clock or telemetry the caller wants to see).</param>
    public static async Task<LocalFunctionsApp> Start(
        string storageConnectionString,
        string taskHubName,
        IReadOnlyDictionary<string, string?> environment,
        Action<IServiceCollection>? configure = null,
        LocalTaskHubOptions? options = null)
    {
        var collection = new ServiceCollection().AddLogging();
        configure?.Invoke(collection);

        // Without a connection string Application Insights sends nothing; the app's metrics calls still run.
        collection.TryAddSingleton(_ => new TelemetryClient(new TelemetryConfiguration()));
        var services = collection.AddDispatcher(environment).BuildServiceProvider();
        try
        {
            var setup = await services.GetRequiredService<LazyDispatcherSetup>().Get(CancellationToken.None);
            var hub = await LocalTaskHub.Start(storageConnectionString, taskHubName, services, options);
            return new LocalFunctionsApp(services, hub, SingletonRun.InstanceId(setup.Config));
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>One tick of the app's timer function (the chain's watchdog).</summary>
    public Task Tick() => Function<DispatchTimer>().Run(new TimerInfo(), Client, CancellationToken.None);

    /// <summary>GET /api/status through the app's status function.</summary>
    public Task<LocalResponse> GetStatus() =>
        LocalHttp.Call("GET", new Uri(Base, "api/status"), r => Function<StatusHttp>().Status(r, Client, CancellationToken.None));

    /// <summary>GET /api/queue through the app's queue function.</summary>
    public Task<LocalResponse> GetQueue() =>
        LocalHttp.Call("GET", new Uri(Base, "api/queue"), r => Function<StatusHttp>().Queue(r, CancellationToken.None));

    /// <summary>POST /api/run through the app's run-now function.</summary>
    public Task<LocalResponse> RunNow() =>
        LocalHttp.Call("POST", new Uri(Base, "api/run"), r => Function<StatusHttp>().StartRun(r, Client, CancellationToken.None));

    /// <summary>POST /api/events through the app's push function: <paramref name="body"/> as Pub/Sub pushes it.</summary>
    public Task<LocalResponse> PostEvent(byte[] body, string? authorization) =>
        LocalHttp.Call(
            "POST",
            new Uri(Base, "api/events"),
            r => Function<EventsHttp>().Receive(r, Client, CancellationToken.None),
            authorization is null ? null : new Dictionary<string, string> { ["Authorization"] = authorization },
            body);

    /// <summary>Schedules a run of the dispatcher instance directly, with the chain settings given.</summary>
    public Task<string> StartRun(RunChain chain) =>
        Client.ScheduleNewOrchestrationInstanceAsync(FunctionNames.Orchestrator, chain, new StartOrchestrationOptions(InstanceId));

    /// <summary>A function class made the way the host makes it for an invocation.</summary>
    public T Function<T>()
        where T : class => ActivatorUtilities.CreateInstance<T>(services);

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        await services.DisposeAsync();
    }
}
