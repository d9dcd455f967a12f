using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.DurableHost;
using Microsoft.DurableTask.Client;

namespace BqDispatch.Benchmarks;

/// <summary>
/// A workload through the Functions app's real orchestration on the local Durable backend (the Azure Storage provider on
/// Azurite), beside the in-process engine: the same cycles, the same emulators, and what Durable adds per activity and
/// per entity call, read from the run's own history.
/// </summary>
public static class DurableBenchmark
{
    public static async Task<DurableMeasurement> Run(Workload workload, Measurement inProcess, TimeSpan latency, Azurite azurite, TextWriter log)
    {
        log.WriteLine($"[{workload.Name} durable] seeding {workload.Traces:N0} traces and jobs…");
        await using var testbed = await Testbed.Create(workload, DateTimeOffset.UtcNow);
        await testbed.Emulators.Latency(latency);
        var bodies = new ConcurrentBag<ActivityRun>();
        await using var app = await Start(testbed, testbed.ConfigJson, azurite, bodies);
        await testbed.Emulators.Reset();
        GC.Collect();

        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        OrchestrationMetadata done;
        long peakManaged, peakWorkingSet;
        await using (var memory = new MemorySampler())
        {
            await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: inProcess.Cycles));
            done = await Completion(app);
            watch.Stop();
            peakManaged = memory.PeakManaged;
            peakWorkingSet = memory.PeakWorkingSet;
        }

        self.Refresh();
        var document = StatusJson.Deserialize<StatusDocument>(done.SerializedOutput!);
        var history = await app.Client.History(app.InstanceId);
        var counters = await testbed.Emulators.Counters();
        var activities = RoundTrips.OfActivities(history);
        var entityCalls = RoundTrips.OfEntityCalls(history);
        var body = bodies.Where(b => b.Name != "BqDispatchSettings").Select(b => b.Took.TotalMilliseconds).DefaultIfEmpty().Average();
        var seconds = watch.Elapsed.TotalSeconds;
        log.WriteLine($"[{workload.Name} durable] {document.Cycles} cycles in {seconds:F2}s, handed off {document.Totals.HandedOff}, {history.Count} history events, {done.RuntimeStatus} {document.Status}");
        return new DurableMeasurement(
            workload.Name,
            document.Cycles,
            Math.Round(seconds / Math.Max(1, document.Cycles), 3),
            Math.Round(inProcess.SecondsPerCycle, 3),
            Math.Round(seconds / Math.Max(1, document.Cycles) / inProcess.SecondsPerCycle, 2),
            Math.Round((self.TotalProcessorTime - cpuBefore).TotalSeconds, 2),
            document.Totals.HandedOff + document.Totals.AlreadyHandedOff,
            counters.Storage.Values.Sum() + counters.BigQuery.Values.Sum(),
            activities.Count,
            Math.Round(body, 1),
            Math.Round(activities.DefaultIfEmpty().Average() - body, 1),
            entityCalls.Count,
            Math.Round(entityCalls.DefaultIfEmpty().Average(), 1),
            history.Count,
            peakManaged / (1024 * 1024),
            peakWorkingSet / (1024 * 1024),
            done.RuntimeStatus == OrchestrationRuntimeStatus.Completed && document.Status == StatusDocument.Ok ? "ok" : $"{done.RuntimeStatus} {document.Error}");
    }

    /// <summary>
    /// One run as deployed: the default pause (3 s) and budget (TimeToLiveInMin 1: 55 s) over a workload with hand-offs
    /// in its first cycles and waiting traces after; the history of that one execution is what Durable replays.
    /// </summary>
    public static async Task<(int Events, int Cycles, string Status)> OneMinuteRun(Workload workload, TimeSpan latency, Azurite azurite, TextWriter log)
    {
        log.WriteLine($"[one-minute run over {workload.Name}] seeding…");
        await using var testbed = await Testbed.Create(workload, DateTimeOffset.UtcNow);
        await testbed.Emulators.Latency(latency);
        var config = JsonNode.Parse(testbed.ConfigJson)!.AsObject();
        config.Remove("CyclePauseMs");
        config["TimeToLiveInMin"] = 1;
        await using var app = await Start(testbed, config.ToJsonString(), azurite, []);
        await app.StartRun(new RunChain(1, Chained: false, Previous: null));
        var done = await Completion(app);
        var document = StatusJson.Deserialize<StatusDocument>(done.SerializedOutput!);
        var events = (await app.Client.History(app.InstanceId)).Count;
        log.WriteLine($"[one-minute run over {workload.Name}] {document.Cycles} cycles, {events} history events");
        return (events, document.Cycles, document.Status);
    }

    private static Task<LocalFunctionsApp> Start(Testbed testbed, string config, Azurite azurite, ConcurrentBag<ActivityRun> bodies) =>
        LocalFunctionsApp.Start(
            azurite.ConnectionString,
            "bench" + Guid.NewGuid().ToString("N")[..12],
            new Dictionary<string, string?>
            {
                ["CONFIG"] = config,
                [GoogleAccess.StorageEmulatorHostVariable] = testbed.Emulators.Endpoints.Storage,
                [GoogleAccess.BigQueryEmulatorHostVariable] = testbed.Emulators.Endpoints.BigQuery,
            },
            options: new LocalTaskHubOptions(TimeSpan.FromSeconds(1), run =>
            {
                bodies.Add(run);
                return Task.CompletedTask;
            }));

    private static async Task<OrchestrationMetadata> Completion(LocalFunctionsApp app)
    {
        while (true)
        {
            var instance = await app.Client.GetInstanceAsync(app.InstanceId, getInputsAndOutputs: true);
            if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated })
            {
                return instance;
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>
/// Round trips read from a run's history, in milliseconds: from the event that scheduled an activity (or sent an entity
/// call) to the start of the orchestrator episode that received its answer.
/// </summary>
public static class RoundTrips
{
    public static List<double> OfActivities(IReadOnlyList<HistoryEntry> history)
    {
        var scheduled = history.Where(e => e.Type == "TaskScheduled").ToDictionary(e => e.EventId, e => e.Timestamp);
        return Answers(history, e => e.Type == "TaskCompleted" && e.TaskScheduledId is { } id && scheduled.ContainsKey(id)
            ? scheduled[e.TaskScheduledId!.Value]
            : null);
    }

    public static List<double> OfEntityCalls(IReadOnlyList<HistoryEntry> history)
    {
        var sent = history.Where(e => e.Type == "EventSent" && e.RequestId is not null).ToDictionary(e => e.RequestId!, e => e.Timestamp);
        return Answers(history, e => e.Type == "EventRaised" && e.Name is { } id && sent.TryGetValue(id, out var at) ? at : null);
    }

    private static List<double> Answers(IReadOnlyList<HistoryEntry> history, Func<HistoryEntry, DateTime?> askedAt)
    {
        var trips = new List<double>();
        DateTime? episode = null;
        foreach (var e in history)
        {
            if (e.Type == "OrchestratorStarted")
            {
                episode = e.Timestamp;
            }
            else if (askedAt(e) is { } asked && episode is { } received)
            {
                trips.Add((received - asked).TotalMilliseconds);
            }
        }

        return trips;
    }
}

/// <summary>The Durable figures of one workload, beside the in-process engine's.</summary>
public sealed record DurableMeasurement(
    string Workload,
    int Cycles,
    double SecondsPerCycle,
    double InProcessSecondsPerCycle,
    double RatioToInProcess,
    double ProcessCpuSeconds,
    int HandOffs,
    long TotalCalls,
    int Activities,
    double ActivityBodyMs,
    double OverheadPerActivityMs,
    int EntityCalls,
    double OverheadPerEntityCallMs,
    int HistoryEvents,
    long PeakManagedMb,
    long PeakWorkingSetMb,
    string Status);
