using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The dispatch flow, written once for both engines: cycles of scan → admit → hand off / fire / clean up →
/// publish until the budget is spent. Deterministic: all time comes from the engine, all I/O goes through it.
/// </summary>
public static class DispatchRun
{
    public static async Task<StatusDocument> Execute(IDispatchEngine engine, RunSettings settings)
    {
        var started = engine.UtcNow;
        var deadline = started + settings.Budget;
        var status = new RunStatus(started);
        var finished = new HashSet<string>(StringComparer.Ordinal);

        while (true)
        {
            var rootFailed = await Cycle(engine, settings, status, finished);
            var published = engine.Publish(status.Snapshot(engine.UtcNow, withMaps: false));
            if (rootFailed || engine.StopRequested
                || (settings.MaxCycles is { } max && status.Cycles >= max)
                || engine.UtcNow + settings.Pause >= deadline)
            {
                return await Finish(engine, status, published);
            }

            // The cycle's status goes out during the pause, so publishing adds nothing to the time between cycles.
            await Task.WhenAll(published, engine.Pause(settings.Pause));
            if (engine.StopRequested)
            {
                return await Finish(engine, status, Task.CompletedTask);
            }
        }
    }

    private static async Task<StatusDocument> Finish(IDispatchEngine engine, RunStatus status, Task lastPublish)
    {
        var document = status.Snapshot(engine.UtcNow);
        await Task.WhenAll(lastPublish, engine.PublishRun(document));
        return document;
    }

    /// <summary>One cycle; returns true when the task folder itself could not be listed.</summary>
    private static async Task<bool> Cycle(IDispatchEngine engine, RunSettings settings, RunStatus status, HashSet<string> finished)
    {
        var now = engine.UtcNow;
        var scan = await engine.Scan(new ScanRequest(now, settings.ChunkSize));
        status.RecordScan(scan);
        if (scan.RootError is not null)
        {
            status.CompleteCycle(0);
            return true;
        }

        // A trace finished earlier in this run may still show in a listing; it is never handed off again (L3).
        var traces = scan.Done.Where(t => !finished.Contains(Key(t))).ToList();
        var plan = await CyclePlanner.Admit(engine, settings, now, scan, traces);
        foreach (var held in plan.HeldTraces)
        {
            status.RecordHeldTrace(held);
        }

        foreach (var held in plan.HeldWindows)
        {
            status.RecordHeldWindow(held);
        }

        var handOffs = Batches(plan.Traces, settings.BatchSize).Select(b => engine.HandOff(new HandOffBatch(b))).ToList();
        var firings = Batches(plan.Windows, settings.BatchSize).Select(b => engine.FireWindows(new WindowBatch(b))).ToList();
        var cleanup = scan.StalledPairs.Count + scan.OrphanMarkers.Count + scan.Orphans.Count > 0
            ? engine.Cleanup(new CleanupBatch(now, scan.StalledPairs, scan.OrphanMarkers, scan.Orphans))
            : null;

        var byUrl = plan.Traces.ToDictionary(t => t.Url, StringComparer.Ordinal);
        foreach (var outcome in await Task.WhenAll(handOffs))
        {
            foreach (var result in outcome.Results)
            {
                var trace = byUrl[result.Url];
                status.RecordHandOff(trace, result, now);
                if (result.Status != HandOffStatus.Failed)
                {
                    finished.Add(Key(trace));
                }
            }
        }

        var windowsByUrl = plan.Windows.ToDictionary(w => w.Url, StringComparer.Ordinal);
        foreach (var outcome in await Task.WhenAll(firings))
        {
            foreach (var result in outcome.Results)
            {
                status.RecordWindow(windowsByUrl[result.Url], result);
            }
        }

        if (cleanup is not null)
        {
            status.RecordCleanup(await cleanup);
        }

        var backlog = scan.DoneTotal - scan.Done.Count + plan.HeldTraces.Count
            + scan.DueWindowsTotal - scan.DueWindows.Count + plan.HeldWindows.Count;
        status.CompleteCycle(backlog);
        return false;
    }

    private static string Key(TraceWork trace) => $"{trace.Url}#{trace.Generation}";

    private static IEnumerable<IReadOnlyList<T>> Batches<T>(IReadOnlyList<T> items, int size) =>
        items.Chunk(Math.Max(1, size));
}
