using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The dispatch flow, written once for both engines: cycles of scan → admit → hand off / fire / clean up →
/// publish until the budget is spent. Deterministic: all time comes from the engine, all I/O goes through it.
/// Runs can form a chain (<see cref="Continue"/>): each starts from what the previous one carried over.
/// </summary>
public static class DispatchRun
{
    /// <summary>One run from a fresh start.</summary>
    public static async Task<StatusDocument> Execute(IDispatchEngine engine, RunSettings settings) =>
        (await Continue(engine, settings, RunCarryOver.None)).Status;

    /// <summary>One run of a chain: it starts from what the previous run carried over and returns what the next one needs.</summary>
    public static async Task<RunResult> Continue(IDispatchEngine engine, RunSettings settings, RunCarryOver carried)
    {
        var started = engine.UtcNow;
        var deadline = started + settings.Budget;
        var status = new RunStatus(started, settings.Lanes);
        var memory = RunMemory.From(carried, started);
        var lanes = new LaneBook(settings.Lanes);
        QueueDocument? lastQueue = null;
        var handedOff = new List<SweptJob>();

        while (true)
        {
            var end = await Cycle(engine, settings, lanes, status, memory, handedOff);

            // queue.json is written when the queue changed (and at a run's first cycle), not after every cycle.
            var queue = end.Queue;
            var changed = queue is not null && (lastQueue is null || !queue.SameQueue(lastQueue));
            lastQueue = queue ?? lastQueue;
            var published = engine.Publish(status.Snapshot(engine.UtcNow, withMaps: false), changed ? queue : null);
            var pause = PauseAfter(settings, end, engine.UtcNow);
            if (end.RootFailed || engine.StopRequested
                || (settings.MaxCycles is { } max && status.Cycles >= max)
                || engine.UtcNow + pause >= deadline)
            {
                return await Finish(engine, settings, status, memory, handedOff, published);
            }

            // The cycle's status goes out during the pause, so publishing adds nothing to the time between cycles.
            await Task.WhenAll(published, engine.Pause(pause));
            if (engine.StopRequested)
            {
                return await Finish(engine, settings, status, memory, handedOff, Task.CompletedTask);
            }
        }
    }

    /// <summary>
    /// With completion events on, a cycle that found nothing to do is followed by the longer sweep pause (the sweep is a
    /// safety net then), cut short when a known window falls due or a waiting group's deadline comes; otherwise, and after
    /// any work, the cycle pause.
    /// </summary>
    public static TimeSpan PauseAfter(RunSettings settings, CycleEnd end, DateTimeOffset now)
    {
        if (!settings.Events || !end.Idle || settings.EventSweepPause <= settings.Pause)
        {
            return settings.Pause;
        }

        var untilDue = end.NextDue is { } due ? due - now : TimeSpan.MaxValue;
        return untilDue < settings.EventSweepPause
            ? (untilDue > settings.Pause ? untilDue : settings.Pause)
            : settings.EventSweepPause;
    }

    // The run's document is published beside the last cycle's status; the ledger learns of the last hand-offs first and
    // gives its figures as they are at the end (the events handled since the last cycle included).
    private static async Task<RunResult> Finish(
        IDispatchEngine engine, RunSettings settings, RunStatus status, RunMemory memory, List<SweptJob> handedOff, Task lastPublish)
    {
        if (settings.Events)
        {
            status.RecordCompletions((await engine.Sweep(new SweepRequest(engine.UtcNow, [], [.. handedOff]))).Report);
        }

        var ended = engine.UtcNow;
        var document = status.Snapshot(ended);
        await Task.WhenAll(lastPublish, engine.PublishRun(document));
        return new RunResult(document, memory.CarryOver(ended));
    }

    /// <summary>
    /// One cycle. With events on it first asks the completion ledger which DONE jobs the events are at work on (they are
    /// left to them) and tells it the previous cycle's hand-offs (<paramref name="handedOff"/>, then this cycle's).
    /// </summary>
    private static async Task<CycleEnd> Cycle(
        IDispatchEngine engine, RunSettings settings, LaneBook lanes, RunStatus status, RunMemory memory, List<SweptJob> handedOff)
    {
        var now = engine.UtcNow;
        var scan = await engine.Scan(new ScanRequest(now, settings.ChunkSize, memory.Awaited(now, settings.ReservationTtl)));
        status.RecordScan(scan);
        if (scan.RootError is not null)
        {
            status.CompleteCycle(0);
            return new CycleEnd(true, null, false, null);
        }

        var leftToEvents = new HashSet<string>(StringComparer.Ordinal);
        if (settings.Events)
        {
            var swept = scan.Done.Select(t => new SweptJob(CompletionLedger.Key(t.Project, t.JobId), t.JobEnded, now)).ToList();
            var answer = await engine.Sweep(new SweepRequest(now, swept, [.. handedOff]));
            handedOff.Clear();
            leftToEvents.UnionWith(answer.LeaveToEvents);
            status.RecordCompletions(answer.Report);
        }

        // Routes go beside the cycle's hand-offs: they touch none of its traces or windows.
        var routing = settings.Routes ? engine.Route(new RouteRequest(now)) : null;

        // A trace finished earlier in this run (or the chain) may still show in a listing; it is never handed off again (L3).
        // Work another dispatcher claimed within the lease is its own.
        var traces = scan.Done
            .Where(t => !memory.IsFinished(t) && !memory.IsHeldElsewhere(t, now) && !leftToEvents.Contains(CompletionLedger.Key(t.Project, t.JobId)))
            .ToList();
        var windows = scan.DueWindows.Where(w => !memory.IsHeldElsewhere(w, now)).ToList();
        var heldElsewhere = scan.Done.Count(t => !memory.IsFinished(t)) - traces.Count + scan.DueWindows.Count - windows.Count;
        var plan = await CyclePlanner.Admit(engine.Admit, settings, now, scan with { DueWindows = windows }, traces, memory.Settle(scan.Settled));
        foreach (var held in plan.HeldTraces)
        {
            status.RecordHeldTrace(held);
        }

        foreach (var held in plan.HeldWindows)
        {
            status.RecordHeldWindow(held);
        }

        status.RecordQueue(plan.Queue, now);

        var admittedTraces = plan.Traces.Select(memory.Mark).ToList();
        var admittedWindows = plan.Windows.Select(memory.Mark).ToList();
        // Groups go first: a batch of them stands for many members' traces, and an engine that runs a few activities at
        // once would otherwise queue them behind every hand-off batch of the cycle.
        var completions = Batches(scan.Groups.Due.Select(d => d.Completion).ToList(), settings.BatchSize)
            .Select(b => engine.CompleteGroups(new GroupBatch(now, b))).ToList();
        var handOffs = Batches(admittedTraces, settings.BatchSize).Select(b => engine.HandOff(new HandOffBatch(b))).ToList();
        var firings = Batches(admittedWindows, settings.BatchSize).Select(b => engine.FireWindows(new WindowBatch(b))).ToList();
        var cleanup = scan.StalledPairs.Count + scan.OrphanMarkers.Count + scan.Orphans.Count > 0
            ? engine.Cleanup(new CleanupBatch(now, scan.StalledPairs, scan.OrphanMarkers, scan.Orphans))
            : null;

        var byUrl = admittedTraces.ToDictionary(t => t.Url, StringComparer.Ordinal);
        foreach (var outcome in await Task.WhenAll(handOffs))
        {
            foreach (var result in outcome.Results)
            {
                var trace = byUrl[result.Url];
                status.RecordHandOff(trace, result, now);
                memory.Record(trace, result.Status, now);
                if (result.Status is HandOffStatus.HandedOff or HandOffStatus.AlreadyHandedOff)
                {
                    handedOff.Add(new SweptJob(CompletionLedger.Key(trace.Project, trace.JobId), trace.JobEnded, engine.UtcNow));
                }

                // Its reservation waits until BqTail is seen acting on the trigger object (or it is seen never made).
                if (lanes.Limited(settings.Limits, trace.Kind, trace.Lane))
                {
                    memory.Await(new AwaitedFollowUp(trace.Url, trace.Project, result.Destination, FollowUpEvidence.NextStepOf(trace), now));
                }
            }
        }

        var windowsByUrl = admittedWindows.ToDictionary(w => w.Url, StringComparer.Ordinal);
        foreach (var outcome in await Task.WhenAll(firings))
        {
            foreach (var result in outcome.Results)
            {
                var window = windowsByUrl[result.Url];
                status.RecordWindow(window, result);
                memory.Record(window, result.Status);
                if (lanes.Limited(settings.Limits, JobKind.Load, window.Lane))
                {
                    memory.Await(new AwaitedFollowUp(window.Url, window.Project, result.Destination, null, now));
                }
            }
        }

        status.RecordGroups(scan.Groups, now);
        foreach (var outcome in await Task.WhenAll(completions))
        {
            status.RecordGroupCompletions(outcome);
        }

        if (cleanup is not null)
        {
            status.RecordCleanup(await cleanup);
        }

        if (routing is not null)
        {
            status.RecordRoutes(await routing);
        }

        var backlog = scan.DoneTotal - scan.Done.Count + plan.HeldTraces.Count
            + scan.DueWindowsTotal - scan.DueWindows.Count + plan.HeldWindows.Count
            + scan.Groups.DueTotal - scan.Groups.Due.Count;
        status.CompleteCycle(backlog, heldElsewhere);
        var idle = scan.DoneTotal == 0 && scan.DueWindowsTotal == 0 && backlog == 0 && cleanup is null && scan.Groups.DueTotal == 0
            && memory.Awaited(now, settings.ReservationTtl).Count == 0;
        // A waiting group's deadline, like a window, cuts the sweep pause short (the soonest deadline is listed first).
        var nextDeadline = scan.Groups.Waiting.Count > 0 ? scan.Groups.Waiting[0].Deadline : (DateTimeOffset?)null;
        var nextDue = scan.NextWindowDue is { } windowDue && (nextDeadline is null || windowDue < nextDeadline) ? windowDue : nextDeadline;
        return new CycleEnd(false, QueueDocument.From(plan.Queue, lanes, now).WithGroups(scan.Groups), idle, nextDue);
    }

    private static IEnumerable<IReadOnlyList<T>> Batches<T>(IReadOnlyList<T> items, int size) =>
        items.Chunk(Math.Max(1, size));
}

/// <summary>How a cycle ended: the task folder could not be listed, or the queue it left, whether it found nothing to
/// do, and when the next known window falls due or the next waiting group's deadline comes, whichever is first.</summary>
public sealed record CycleEnd(bool RootFailed, QueueDocument? Queue, bool Idle, DateTimeOffset? NextDue);
