using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Dispatch;

/// <summary>A move the next cycle would make: source → destination, for work of a lane.</summary>
public sealed record PlannedMove(string Source, string Destination, string Lane = Throttling.Lane.MainName);

/// <summary>A group the next cycle would complete: its file, the branch it would write, and its post-action file (null without actions).</summary>
public sealed record PlannedGroup(string Name, string Url, bool Succeeded, string? Trigger);

/// <summary>What the next cycle would do, computed from a real scan without changing anything.</summary>
/// <param name="Held">Work the throttles would hold back, with its lane and the limit that holds it.</param>
/// <param name="Groups">Groups it would complete (the scan's <see cref="TaskFolderScan.Groups"/> has the waiting ones).</param>
public sealed record CyclePreview(
    TaskFolderScan Scan,
    IReadOnlyList<PlannedMove> HandOffs,
    IReadOnlyList<PlannedMove> Windows,
    IReadOnlyList<QueuedWork> Held,
    IReadOnlyList<string> Removals,
    IReadOnlyList<PlannedMove> Evictions,
    IReadOnlyList<PlannedGroup> Groups)
{
    /// <summary>
    /// Scans for real (listings and BigQuery reads only) and admits on <paramref name="throttles"/>, which it changes in
    /// memory only: a self-hosted dispatcher's kept throttles (its reservations as of its last cycle), or fresh ones.
    /// </summary>
    public static async Task<CyclePreview> Of(
        DispatchActivities activities, RunSettings settings, ProjectThrottles throttles, DateTimeOffset now, CancellationToken cancellation)
    {
        var scan = await activities.Scanner.Scan(new ScanRequest(now, settings.ChunkSize), cancellation);
        var plan = await CyclePlanner.Admit(
            (project, request) => Task.FromResult(throttles.Admit(project, request)),
            settings,
            now,
            scan,
            scan.Done,
            new Dictionary<string, IReadOnlyList<string>>());

        return new CyclePreview(
            scan,
            plan.Traces.Select(t => new PlannedMove(t.Url, activities.HandOffs.Destination(t), t.Lane)).ToList(),
            plan.Windows.Select(w => new PlannedMove(w.Url, activities.Windows.Destination(w), w.Lane)).ToList(),
            plan.Queue,
            [.. scan.StalledPairs.SelectMany(p => new[] { p.Window.Url, p.Marker.Url }), .. scan.OrphanMarkers.Select(m => m.Url)],
            scan.Orphans.Select(t => new PlannedMove(t.Url, activities.Cleaner.EvictionUrl(t))).ToList(),
            scan.Groups.Due.Select(d => d.Completion)
                .Select(c => new PlannedGroup(c.Name, c.Url, c.Succeeded, c.Actions is null ? null : activities.Groups.TriggerOf(c))).ToList());
    }
}
