using System.Text.Json.Nodes;
using BqDispatch.Cli.Demo;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.DurableHost;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BqDispatch.Functions.Tests.Support;

/// <summary>
/// The Functions app on a fresh task hub of the local Durable backend, against its own Cloud Storage and BigQuery
/// emulators, with the demo's layout (gs://demo-dispatch/BqDispatch/Tasks/, trigger gs://demo-trigger, journal and
/// errors in gs://demo-ops); its clock and its Application Insights client are the test's.
/// </summary>
public sealed class DurableApp : IAsyncDisposable
{
    private DurableApp(CloudStorageEmulator storage, BigQueryEmulator bigQuery, LocalFunctionsApp functions, ShiftedClock clock, CapturedTelemetry telemetry)
    {
        Storage = storage;
        BigQuery = bigQuery;
        Functions = functions;
        Clock = clock;
        Telemetry = telemetry;
    }

    public CloudStorageEmulator Storage { get; }

    public BigQueryEmulator BigQuery { get; }

    public LocalFunctionsApp Functions { get; }

    public TaskHubDurableClient Client => Functions.Client;

    public string InstanceId => Functions.InstanceId;

    /// <summary>The clock the timer and HTTP functions see; move it to make time pass for them.</summary>
    public ShiftedClock Clock { get; }

    public CapturedTelemetry Telemetry { get; }

    /// <summary>The demo's configuration with <paramref name="overrides"/> (key → value) on top.</summary>
    public static string Config(object? overrides = null)
    {
        var config = JsonNode.Parse(DemoWorkload.Config)!.AsObject();
        if (overrides is not null)
        {
            foreach (var (key, value) in JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(overrides))!.AsObject())
            {
                config[key] = value?.DeepClone();
            }
        }

        return config.ToJsonString();
    }

    /// <param name="seed">Lays out the workload; the three buckets exist already.</param>
    public static async Task<DurableApp> Start(
        Azurite azurite, string config, Action<CloudStorageEmulator, BigQueryEmulator>? seed = null, LocalTaskHubOptions? options = null)
    {
        var storage = await CloudStorageEmulator.StartAsync();
        var bigQuery = await BigQueryEmulator.StartAsync();
        foreach (var bucket in new[] { "demo-dispatch", "demo-trigger", "demo-ops" })
        {
            storage.CreateBucket(bucket);
        }

        seed?.Invoke(storage, bigQuery);
        var clock = new ShiftedClock();
        var telemetry = new CapturedTelemetry();
        var functions = await LocalFunctionsApp.Start(
            azurite.ConnectionString,
            "t" + Guid.NewGuid().ToString("N")[..24],
            Environment(storage, bigQuery, config),
            services => services.AddSingleton<TimeProvider>(clock).AddSingleton(telemetry.Client),
            options);
        return new DurableApp(storage, bigQuery, functions, clock, telemetry);
    }

    /// <summary>The process environment of the app: CONFIG and the emulator hosts.</summary>
    public static Dictionary<string, string?> Environment(CloudStorageEmulator storage, BigQueryEmulator bigQuery, string config) => new()
    {
        ["CONFIG"] = config,
        [GoogleAccess.StorageEmulatorHostVariable] = storage.HostAndPort,
        [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort,
    };

    public Task Tick() => Functions.Tick();

    public Task<LocalResponse> GetStatus() => Functions.GetStatus();

    public Task<LocalResponse> GetQueue() => Functions.GetQueue();

    public Task<LocalResponse> RunNow() => Functions.RunNow();

    public Task<string> StartRun(RunChain chain) => Functions.StartRun(chain);

    /// <summary>Polls the instance until <paramref name="condition"/> holds (inputs, outputs and custom status included).</summary>
    public async Task<OrchestrationMetadata> WaitFor(Func<OrchestrationMetadata, bool> condition, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        OrchestrationMetadata? last = null;
        while (!limit.IsCancellationRequested)
        {
            last = await Client.GetInstanceAsync(InstanceId, getInputsAndOutputs: true);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(200, CancellationToken.None);
        }

        throw new TimeoutException($"instance {InstanceId} never reached the expected state; last: {last?.RuntimeStatus} {last?.SerializedCustomStatus} {last?.FailureDetails}");
    }

    public async ValueTask DisposeAsync()
    {
        await Functions.DisposeAsync();
        await Storage.DisposeAsync();
        await BigQuery.DisposeAsync();
    }
}

/// <summary>The system clock, moved forward by <see cref="Offset"/>.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>Application Insights as the app uses it, with what it sends kept in memory.</summary>
public sealed class CapturedTelemetry
{
    private readonly Channel channel = new();

    public CapturedTelemetry()
    {
        var configuration = new TelemetryConfiguration { TelemetryChannel = channel, ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000" };
        Client = new TelemetryClient(configuration);
    }

    public TelemetryClient Client { get; }

    /// <summary>The metrics sent so far (flushing the aggregates first): name → sum of the values.</summary>
    public Dictionary<string, double> Metrics()
    {
        Client.Flush();
        lock (channel.Items)
        {
            return channel.Items.OfType<Microsoft.ApplicationInsights.DataContracts.MetricTelemetry>()
                .GroupBy(m => m.Name)
                .ToDictionary(g => g.Key, g => g.Sum(m => m.Sum));
        }
    }

    private sealed class Channel : Microsoft.ApplicationInsights.Channel.ITelemetryChannel
    {
        public List<Microsoft.ApplicationInsights.Channel.ITelemetry> Items { get; } = [];

        public bool? DeveloperMode { get; set; }

        public string EndpointAddress { get; set; } = "";

        public void Send(Microsoft.ApplicationInsights.Channel.ITelemetry item)
        {
            lock (Items)
            {
                Items.Add(item);
            }
        }

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
