using System.Diagnostics;
using System.Text.Json;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.PubSub;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks.Events;

/// <summary>
/// events-2k: 2,000 traced loads finishing over 60 s, drained by a self-hosted dispatcher (the `run` command's engine and
/// pull receiver, real REST clients against both emulators and Google's Pub/Sub emulator fed by an audit-log feed that
/// loses a share of the entries), with events and without; then an idle dispatcher over 8 folders, with events and
/// without, for the calls an hour of nothing costs.
/// </summary>
public static class EventsCommand
{
    private static readonly TimeSpan MaxDrain = TimeSpan.FromMinutes(4);

    public static async Task<int> Run(IReadOnlyList<string> args, TextWriter output, TextWriter log)
    {
        if (CommandOptions.Parse(args, log, ("--latency-ms", "20"), ("--idle-sec", "60"), ("--drop", "0.02"), ("--json", null)) is not { } options)
        {
            return 2;
        }

        var latency = options.Milliseconds("--latency-ms");
        var idle = TimeSpan.FromSeconds(options.Int("--idle-sec"));
        var drop = options.Double("--drop");
        var jsonFile = options.Text("--json");

        await using var pubsub = await PubSubEmulator.StartAsync();
        var results = new List<EventsResult>();
        foreach (var events in new[] { true, false })
        {
            results.Add(await Measure(events, latency, drop, pubsub, log));
        }

        var idles = new List<IdleResult>();
        foreach (var events in new[] { true, false })
        {
            idles.Add(await Idle(events, latency, idle, pubsub, log));
        }

        await output.WriteLineAsync(EventsResult.Table(results, idles, latency, drop));
        var json = JsonSerializer.Serialize(new { LatencyMs = latency.TotalMilliseconds, Drop = drop, Results = results, Idle = idles }, new JsonSerializerOptions { WriteIndented = true });
        if (jsonFile is null)
        {
            await output.WriteLineAsync(json);
        }
        else
        {
            await File.WriteAllTextAsync(jsonFile, json);
        }

        return results.All(r => r.Status == "ok") && idles.All(r => r.Status == "ok") ? 0 : 1;
    }

    private static async Task<EventsResult> Measure(bool events, TimeSpan latency, double drop, PubSubEmulator pubsub, TextWriter log)
    {
        var name = events ? "events on" : "events off";
        await using var bench = await Bench.Start(latency, pubsub, events, drop);
        bench.BqTail.Seed(DateTimeOffset.UtcNow);
        await log.WriteLineAsync($"events-2k [{name}]: {EventsBqTail.Jobs:N0} traced loads finishing one every {EventsBqTail.Every.TotalMilliseconds} ms over {Projects} folders");

        using var stop = new CancellationTokenSource(MaxDrain);
        var consuming = bench.BqTail.Consume(stop.Token);
        var watch = Stopwatch.StartNew();
        var (cycles, status, last) = await bench.Dispatch(stop, () => bench.BqTail.HandedOff == EventsBqTail.Jobs);
        watch.Stop();
        await consuming;
        if (bench.BqTail.HandedOff < EventsBqTail.Jobs)
        {
            status = $"error: {bench.BqTail.HandedOff:N0} of {EventsBqTail.Jobs:N0} handed off within {MaxDrain.TotalMinutes} minutes";
        }

        var result = EventsResult.From(name, cycles, watch.Elapsed, bench, last?.Completions, status);
        await log.WriteLineAsync($"events-2k [{name}]: {cycles} cycles in {watch.Elapsed.TotalSeconds:F1} s; lag p50 {result.LagP50Ms} ms, p95 {result.LagP95Ms} ms; {status}");
        return result;
    }

    private static async Task<IdleResult> Idle(bool events, TimeSpan latency, TimeSpan length, PubSubEmulator pubsub, TextWriter log)
    {
        var name = events ? "events on" : "events off";
        await using var bench = await Bench.Start(latency, pubsub, events, 0);
        bench.BqTail.SeedIdle(DateTimeOffset.UtcNow);
        await log.WriteLineAsync($"idle [{name}]: 8 folders, nothing to do, for {length.TotalSeconds} s");
        using var stop = new CancellationTokenSource(length);
        var (cycles, status, _) = await bench.Dispatch(stop, () => false);
        var result = IdleResult.From(name, cycles, length, bench, status);
        await log.WriteLineAsync($"idle [{name}]: {cycles} cycles, {result.StorageCallsPerHour:N0} Cloud Storage and {result.BigQueryCallsPerHour:N0} BigQuery calls an hour");
        return result;
    }

    private const int Projects = 4;

    /// <summary>One measurement's emulators, BqTail, feed and dispatcher.</summary>
    public sealed class Bench : IAsyncDisposable
    {
        private readonly EmulatedGoogle google;

        private Bench(EmulatedGoogle google, AuditLogFeed? feed, DispatcherSetup setup)
        {
            this.google = google;
            Feed = feed;
            Setup = setup;
            BqTail = new EventsBqTail(google.Storage, google.BigQuery);
        }

        public CloudStorageEmulator Storage => google.Storage;

        public BigQueryEmulator BigQuery => google.BigQuery;

        public AuditLogFeed? Feed { get; }

        public DispatcherSetup Setup { get; }

        public EventsBqTail BqTail { get; }

        public static async Task<Bench> Start(TimeSpan latency, PubSubEmulator pubsub, bool events, double drop)
        {
            var google = await EmulatedGoogle.Start(latency, EventsBqTail.TasksBucket, EventsBqTail.TriggerBucket, "events-ops");
            var (storage, bigQuery) = (google.Storage, google.BigQuery);
            var environment = google.Environment();
            environment[PubSubClient.EmulatorHostVariable] = pubsub.HostAndPort;
            string? subscription = null;
            AuditLogFeed? feed = null;
            if (events)
            {
                var topic = await pubsub.CreateTopic("p-bench-a", "done" + Guid.NewGuid().ToString("N")[..8]);
                subscription = await pubsub.CreateSubscription(topic, "dispatch" + Guid.NewGuid().ToString("N")[..8]);
                feed = new AuditLogFeed(bigQuery, pubsub, topic) { DropRate = drop };
                feed.Start();
            }

            var setup = await DispatcherSetup.Create(Config(subscription), environment, CancellationToken.None);
            storage.ResetCounters();
            bigQuery.ResetCounters();
            return new Bench(google, feed, setup);
        }

        /// <summary>Back-to-back runs (and the pull receiver) until <paramref name="stop"/> or <paramref name="done"/>.</summary>
        public async Task<(int Cycles, string Status, StatusDocument? Last)> Dispatch(CancellationTokenSource stop, Func<bool> done)
        {
            var throttles = new ProjectThrottles();
            var ledger = new SharedLedger();
            var receiving = Setup.Receiver(throttles, ledger, _ => { })?.Run(stop.Token) ?? Task.CompletedTask;
            var cycles = 0;
            var status = "ok";
            StatusDocument? last = null;
            var settings = Setup.Settings();
            var runs = new BackToBackRuns(
                carried => Setup.ContinueInProcess(throttles, settings, _ => { }, stop.Token, carried, _ =>
                {
                    cycles++;
                    if (done())
                    {
                        stop.Cancel();
                    }
                }, ledger),
                settings.Pause,
                SystemClock.Instance);
            await runs.Run(
                document =>
                {
                    last = document;
                    status = document.Status == "ok" ? status : $"error: {document.Error}";
                    return Task.CompletedTask;
                },
                e =>
                {
                    status = $"error: {e.Message}";
                    return stop.CancelAsync();
                },
                stop.Token);
            await receiving;
            return (cycles, status, last);
        }

        public async ValueTask DisposeAsync()
        {
            Setup.Dispose();
            if (Feed is not null)
            {
                await Feed.DisposeAsync();
            }

            await google.DisposeAsync();
        }

        private static string Config(string? subscription) => $$"""
            {
              "ProjectID": "p-bench-a",
              "AsyncTaskURL": "gs://{{EventsBqTail.TasksBucket}}/{{EventsBqTail.TasksPrefix}}",
              "TriggerBucket": "gs://{{EventsBqTail.TriggerBucket}}",
              "JournalURL": "gs://events-ops/Journal/",
              "ErrorURL": "gs://events-ops/errors/",
              "TimeToLiveInMin": 30
              {{(subscription is null ? "" : $", \"EventSubscription\": \"{subscription}\"")}}
            }
            """;
    }
}
