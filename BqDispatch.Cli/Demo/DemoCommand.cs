using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Cli.Demo;

/// <summary>
/// The embedded default: no Google account needed. Starts the Cloud Storage and BigQuery emulators on 127.0.0.1,
/// seeds a workload, and runs the dispatcher exactly as deployed (DispatcherSetup: gs:// client, BigQuery client,
/// retry policy), pointed at the emulators through STORAGE_EMULATOR_HOST and BIGQUERY_EMULATOR_HOST. When Google's Pub/Sub
/// emulator is installed, completion events are on too: an audit-log feed publishes each job's end to a topic and the
/// dispatcher pulls them (PUBSUB_EMULATOR_HOST), so both paths show; without it the demo says so and runs the sweep alone.
/// </summary>
public static class DemoCommand
{
    public const int DefaultCycles = 8;

    private static readonly string[] Buckets = ["demo-dispatch", "demo-trigger", "demo-ops"];

    public static async Task<int> Run(Options options, TextWriter stdout, TextWriter stderr, CancellationToken stopping)
    {
        var now = DateTimeOffset.UtcNow;
        var latency = TimeSpan.FromMilliseconds(5);
        await using var storage = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Latency = latency });
        await using var bigQuery = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions { Latency = latency });
        foreach (var bucket in Buckets)
        {
            storage.CreateBucket(bucket);
        }

        DemoWorkload.Seed(storage, bigQuery, now);
        var environment = new Dictionary<string, string?>
        {
            [GoogleAccess.StorageEmulatorHostVariable] = storage.HostAndPort,
            [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort,
        };
        await using var events = await DemoEvents.Start(bigQuery, environment, stderr, stopping);
        using var setup = await DispatcherSetup.Create(events.Config, environment, stopping);
        var config = setup.Config;

        await stderr.WriteLineAsync($"demo: Cloud Storage emulator on {storage.HostAndPort}, BigQuery emulator on {bigQuery.HostAndPort} ({latency.TotalMilliseconds} ms per request)");
        await stderr.WriteLineAsync($"demo: {Count(storage, "demo-dispatch")} objects waiting in {config.AsyncTaskURL}; MaxConcurrentSQL {config.MaxConcurrentSQL}, MaxConcurrentLoad {config.MaxConcurrentLoad}");

        var throttles = new ProjectThrottles();
        var ledger = new SharedLedger();
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var receiver = setup.Receiver(throttles, ledger, line => stderr.WriteLine("demo: " + line))?.Run(receiving.Token) ?? Task.CompletedTask;
        var status = await setup.RunInProcess(
            throttles, setup.Settings(options.MaxCycles ?? DefaultCycles), line => stderr.WriteLine("demo: " + line), stopping, ledger);
        await receiving.CancelAsync();
        await receiver;

        await stdout.WriteLineAsync(StatusPublisher.DocumentText(status));
        if (status.Completions is { } completions)
        {
            await stderr.WriteLineAsync(
                $"demo: completions: event path {Path(completions.Event)}, poll path {Path(completions.Poll)}; " +
                $"{completions.Events.Received} events received, {completions.Events.Duplicates} duplicates, {completions.Events.UnknownJobs} for jobs no trace waits for");
        }

        await stderr.WriteLineAsync($"demo: API calls: {storage.Requests.Count} Cloud Storage, {bigQuery.ListCalls} jobs.list, {bigQuery.GetCalls} jobs.get; hand-offs landed in {DemoWorkload.Trigger}:");
        foreach (var name in Names(storage, "demo-trigger"))
        {
            await stderr.WriteLineAsync($"  gs://demo-trigger/{name}");
        }

        await stderr.WriteLineAsync($"demo: evicted to {config.ErrorURL}: {string.Join(", ", Names(storage, "demo-ops").Where(n => n.Contains("orphans/", StringComparison.Ordinal)))}");
        await stderr.WriteLineAsync($"demo: left in the task folder: {Count(storage, "demo-dispatch")} objects; status {status.Status}");
        return status.Status == StatusDocument.Ok ? 0 : 1;
    }

    private static string Path(PathSummary path) =>
        $"{path.Count} hand-offs (detection lag p50 {path.LagP50Ms} ms, p95 {path.LagP95Ms} ms, max {path.LagMaxMs} ms)";

    private static int Count(CloudStorageEmulator storage, string bucket) => Names(storage, bucket).Count;

    private static List<string> Names(CloudStorageEmulator storage, string bucket) =>
        storage.Objects(bucket).Select(o => o.Name).Order(StringComparer.Ordinal).ToList();
}
