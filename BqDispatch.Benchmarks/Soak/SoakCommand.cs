using System.Text.Json;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks.Soak;

/// <summary>
/// Issue 9's soak: two self-hosted dispatchers on the same folders, in this process, through the real REST clients and
/// retry policy against both emulators; a simulated BqTail writing traces and windows and consuming every trigger
/// object within ~0.5 s; a share of all Cloud Storage and BigQuery calls answered 429/503 or dropped after they took
/// effect. BqTail produces for the configured time, then everything it started is drained, then the figures are printed.
/// </summary>
public static class SoakCommand
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxDrain = TimeSpan.FromMinutes(3);

    public static async Task<int> Run(IReadOnlyList<string> args, TextWriter output, TextWriter log)
    {
        if (SoakOptions.Parse(args, log) is not { } options)
        {
            return 2;
        }

        await using var storage = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Latency = Latency });
        await using var bigQuery = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions { Latency = Latency });
        foreach (var bucket in new[] { SoakBqTail.TasksBucket, SoakBqTail.TriggerBucket, "soak-ops" })
        {
            storage.CreateBucket(bucket);
        }

        foreach (var project in SoakBqTail.Folders.Select(f => f.Project).Distinct())
        {
            bigQuery.AddProject(project);
        }

        InjectFaults(storage, bigQuery, options);
        var environment = new Dictionary<string, string?>
        {
            [GoogleAccess.StorageEmulatorHostVariable] = storage.HostAndPort,
            [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort,
        };
        var bqTail = new SoakBqTail(storage, bigQuery, options);
        var dispatchers = new List<SoakDispatcher>();
        foreach (var name in new[] { "d1", "d2" })
        {
            dispatchers.Add(new SoakDispatcher(name, await DispatcherSetup.Create(Config, environment, CancellationToken.None), bqTail));
        }

        await log.WriteLineAsync($"soak: two dispatchers, BqTail writing {options.TracesPerSecond} traces/s for {options.Duration.TotalMinutes} min, " +
            $"{options.FaultRate:P0} of calls failed or dropped after commit, {Latency.TotalMilliseconds} ms per request");
        using var stopConsuming = new CancellationTokenSource();
        using var stopDispatching = new CancellationTokenSource();
        var consuming = bqTail.Consume(stopConsuming.Token);
        var dispatching = dispatchers.Select(d => Task.Run(() => d.Run(stopDispatching.Token))).ToList();

        using (var stopProducing = new CancellationTokenSource(options.Duration))
        {
            await bqTail.Produce(stopProducing.Token);
        }

        await log.WriteLineAsync($"soak: production over ({bqTail.Traces.Count} traces, {bqTail.Windows.Count} windows); draining what BqTail started");
        var drainEnds = DateTimeOffset.UtcNow + MaxDrain;
        while (!bqTail.Settled(DateTimeOffset.UtcNow) && DateTimeOffset.UtcNow < drainEnds)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var stopped = DateTimeOffset.UtcNow;
        await stopDispatching.CancelAsync();
        await Task.WhenAll(dispatching);
        await stopConsuming.CancelAsync();
        await consuming;

        var report = SoakReport.From(options, bqTail, storage, bigQuery, dispatchers, stopped);
        await output.WriteLineAsync(report.Text());
        if (options.JsonFile is { } file)
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        }

        dispatchers.ForEach(d => d.Dispose());
        return report.MeetsTargets ? 0 : 1;
    }

    /// <summary>The dispatcher configuration: the deployed defaults, limits a busy project reaches now and then.</summary>
    private static string Config => $$"""
        {"ProjectID":"p-sales","AsyncTaskURL":"gs://{{SoakBqTail.TasksBucket}}/{{SoakBqTail.TasksPrefix}}","TriggerBucket":"{{SoakBqTail.TriggerBucket}}",
         "JournalURL":"gs://soak-ops/Journal/","ErrorURL":"gs://soak-ops/errors/","MaxConcurrentSQL":25,"MaxConcurrentLoad":30}
        """;

    /// <summary>Half the rate answered 429 (writes) or 503 (reads) without effect, half dropped after taking effect, on every route.</summary>
    private static void InjectFaults(CloudStorageEmulator storage, BigQueryEmulator bigQuery, SoakOptions options)
    {
        var half = options.FaultRate / 2;
        foreach (var route in StorageRoutes.All)
        {
            var read = route is StorageRoutes.List or StorageRoutes.Get or StorageRoutes.Media;
            storage.ErrorRate(route, half, read ? 503 : 429, options.Seed + route.Length);
            storage.DropAfterCommitRate(route, half, options.Seed * 31 + route.Length);
        }

        foreach (var route in new[] { EmulatorRoutes.List, EmulatorRoutes.Get })
        {
            bigQuery.ErrorRate(route, half, 503, "backendError", options.Seed + route.Length);
            bigQuery.DropRate(route, half, options.Seed * 17 + route.Length);
        }
    }
}
