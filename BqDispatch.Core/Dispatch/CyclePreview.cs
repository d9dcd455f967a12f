using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>A move the next cycle would make: source → destination.</summary>
public sealed record PlannedMove(string Source, string Destination);

/// <summary>Work the throttle would hold back, and why: the kind's active jobs against its limit.</summary>
public sealed record HeldWork(string Url, string Project, JobKind Kind, int Active, int Limit);

/// <summary>What the next cycle would do, computed from a real scan without changing anything.</summary>
public sealed record CyclePreview(
    TaskFolderScan Scan,
    IReadOnlyList<PlannedMove> HandOffs,
    IReadOnlyList<PlannedMove> Windows,
    IReadOnlyList<HeldWork> Held,
    IReadOnlyList<string> Removals,
    IReadOnlyList<PlannedMove> Evictions)
{
    /// <summary>
    /// Scans for real (listings and BigQuery reads only) and admits on scratch lanes: reservations that a running
    /// dispatcher holds are not visible here, so the preview may admit a little more than that dispatcher would.
    /// </summary>
    public static async Task<CyclePreview> Of(DispatchActivities activities, RunSettings settings, DateTimeOffset now, CancellationToken cancellation)
    {
        var scan = await activities.Scanner.Scan(new ScanRequest(now, settings.ChunkSize), cancellation);
        var observed = scan.Projects.ToDictionary(p => p.Project, p => p.Observed, StringComparer.Ordinal);
        var admitted = new HashSet<string>(StringComparer.Ordinal);
        var held = new List<HeldWork>();
        foreach (var (project, request) in CyclePlanner.Requests(settings, now, observed, scan.Done, scan.DueWindows))
        {
            var admission = new ThrottleLane().Admit(request);
            admitted.UnionWith(admission.Admitted);
            held.AddRange(request.Candidates
                .Where(c => !admitted.Contains(c.Key))
                .Select(c => new HeldWork(c.Key, project, c.Kind, c.Kind == JobKind.Query ? admission.ActiveQuery : admission.ActiveLoad, settings.Limits.For(c.Kind))));
        }

        return new CyclePreview(
            scan,
            scan.Done.Where(t => admitted.Contains(t.Url)).Select(t => new PlannedMove(t.Url, activities.HandOffs.Destination(t))).ToList(),
            scan.DueWindows.Where(w => admitted.Contains(w.Url)).Select(w => new PlannedMove(w.Url, activities.Windows.Destination(w))).ToList(),
            held,
            [.. scan.StalledPairs.SelectMany(p => new[] { p.Window.Url, p.Marker.Url }), .. scan.OrphanMarkers.Select(m => m.Url)],
            scan.Orphans.Select(t => new PlannedMove(t.Url, activities.Cleaner.EvictionUrl(t))).ToList());
    }
}
