using System.Text.Json;
using BqDispatch.Cli.Demo;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.DurableHost;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using Microsoft.DurableTask.Client;

namespace BqDispatch.Cli.Durable;

/// <summary>
/// The demo in the Azure shape, without an Azure account: the Functions app's orchestrator, activities and throttle
/// project throttle entities run on the Durable Task runtime with the Azure Storage backend (on Azurite, installed with npm on
/// first use), against the same emulators and workload as `demo`. Shows each cycle from the orchestration's custom
/// status, then the status document, the app's GET /api/status answer and the size of the run's history.
/// </summary>
public static class DurableCommand
{
    public static async Task<int> Run(Options options, TextWriter stdout, TextWriter stderr, CancellationToken stopping)
    {
        var cycles = options.MaxCycles ?? DemoCommand.DefaultCycles;
        await stderr.WriteLineAsync("durable: starting Azurite, the Azure Storage emulator (npm package azurite)");
        await using var azurite = await Azurite.Start(line => stderr.WriteLine("durable: " + line), stopping);
        var latency = TimeSpan.FromMilliseconds(5);
        await using var storage = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Latency = latency });
        await using var bigQuery = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions { Latency = latency });
        DemoWorkload.Seed(storage, bigQuery, DateTimeOffset.UtcNow);
        var environment = new Dictionary<string, string?>
        {
            ["CONFIG"] = DemoWorkload.Config,
            [GoogleAccess.StorageEmulatorHostVariable] = storage.HostAndPort,
            [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort,
        };

        var taskHub = "demo" + Guid.NewGuid().ToString("N")[..12];
        await using var app = await LocalFunctionsApp.Start(azurite.ConnectionString, taskHub, environment);
        await stderr.WriteLineAsync($"durable: task hub {taskHub} on Azurite; Cloud Storage emulator on {storage.HostAndPort}, BigQuery emulator on {bigQuery.HostAndPort}");
        await stderr.WriteLineAsync($"durable: the orchestration {app.InstanceId} runs {cycles} cycles over {DemoWorkload.Tasks}");

        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: cycles));
        var done = await Follow(app, stderr, stopping);

        var document = StatusJson.Deserialize<StatusDocument>(done.SerializedOutput ?? "{}");
        await stdout.WriteLineAsync(StatusPublisher.DocumentText(document));
        var status = await app.GetStatus();
        await stderr.WriteLineAsync($"durable: GET {LocalFunctionsApp.Base}api/status → {(int)status.StatusCode}, LastRun: {Describe(status.Body)}");
        var history = await app.Client.HistoryEventTypes(app.InstanceId);
        await stderr.WriteLineAsync($"durable: the run's history holds {history.Count} events ({history.Count(e => e == "OrchestratorStarted")} replays of the orchestrator); runtime status {done.RuntimeStatus}");
        await stderr.WriteLineAsync($"durable: trigger objects created: {storage.Objects("demo-trigger").Count}; status {document.Status}");
        return done.RuntimeStatus == OrchestrationRuntimeStatus.Completed && document.Status == StatusDocument.Ok ? 0 : 1;
    }

    // Prints a line each time the custom status (the run's summary, set after every cycle) changes.
    private static async Task<OrchestrationMetadata> Follow(LocalFunctionsApp app, TextWriter stderr, CancellationToken stopping)
    {
        string? shown = null;
        while (true)
        {
            var instance = await app.Client.GetInstanceAsync(app.InstanceId, getInputsAndOutputs: true, stopping);
            // Until the first cycle is published the custom status is JSON null.
            if (instance?.SerializedCustomStatus is { } text && text != shown
                && JsonSerializer.Deserialize<RunSummary>(text, DurableJson.Options) is { } summary)
            {
                shown = text;
                await stderr.WriteLineAsync("durable: " + Line(summary));
            }

            if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated })
            {
                return instance;
            }

            await Task.Delay(250, stopping);
        }
    }

    private static string Line(RunSummary s) =>
        $"cycle {s.Cycles}: handed off {s.HandedOff}, windows fired {s.WindowsFired}, backlog {s.Backlog}, errors {s.ErrorCount} | " +
        string.Join(", ", s.Projects.Select(p => $"{p.Project}: waiting {p.Waiting}, dispatched {p.Dispatched}, throttled {p.Throttled}"));

    private static string Describe(string statusBody)
    {
        using var body = JsonDocument.Parse(statusBody);
        return body.RootElement.TryGetProperty("LastRun", out var lastRun) && lastRun.ValueKind == JsonValueKind.Object
            ? $"the status document of the run ({lastRun.GetProperty("Cycles").GetInt32()} cycles, status {lastRun.GetProperty("Status").GetString()})"
            : "none";
    }
}
