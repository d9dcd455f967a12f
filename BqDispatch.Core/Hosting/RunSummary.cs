using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Hosting;

/// <summary>One project's line in the running summary (bqtail's Performance, as of the last cycle).</summary>
public sealed record ProjectSummary(
    string Project, int Waiting, int Running, int Pending, int Dispatched, int Throttled, int NotFound);

/// <summary>One lane's line in the running summary (the status document's Lanes entry, kinds summed).</summary>
public sealed record LaneSummary(string Lane, long Priority, int Queued, int Running, int Dispatched, int Throttled, long OldestWaitSec);

/// <summary>
/// The small running summary of a run, kept as the orchestration's custom status after every cycle: the status
/// document without its maps, bounded (25 projects, 20 lanes) so its JSON stays far below Durable's 16 KB
/// custom-status limit.
/// </summary>
public sealed record RunSummary(
    string Status,
    DateTime Started,
    int Cycles,
    int HandedOff,
    int WindowsFired,
    int HandOffsFailed,
    int WindowsFailed,
    int Evicted,
    int Backlog,
    int ErrorCount,
    string? LastError,
    IReadOnlyList<ProjectSummary> Projects,
    int ProjectsOmitted,
    IReadOnlyList<LaneSummary>? Lanes = null)
{
    public const int MaxProjects = 25;
    public const int MaxErrorLength = 500;

    public static RunSummary From(StatusDocument status)
    {
        var totals = status.Totals;
        var projects = status.Performance
            .Where(p => !p.Key.EndsWith("/batching", StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        return new RunSummary(
            status.Status,
            status.Started,
            status.Cycles,
            totals.HandedOff + totals.AlreadyHandedOff,
            totals.WindowsFired + totals.WindowsAlreadyFired,
            totals.HandOffsFailed,
            totals.WindowsFailed,
            totals.Evicted,
            totals.Backlog,
            status.Errors.Count,
            Truncate(status.Error),
            projects.Take(MaxProjects).Select(p => Project(Truncate(p.Key, 100)!, p.Value)).ToList(),
            Math.Max(0, projects.Count - MaxProjects),
            // Bounded by the configuration: at most 20 lanes, main included.
            status.Lanes
                .OrderBy(l => l.Value.Priority)
                .ThenBy(l => l.Key, StringComparer.Ordinal)
                .Select(l => new LaneSummary(l.Key, l.Value.Priority, l.Value.Queued, Total(l.Value.Running), l.Value.Dispatched, l.Value.Throttled, l.Value.OldestWaitSec))
                .ToList());
    }

    private static ProjectSummary Project(string name, Performance p) => new(
        name, p.Count, Total(p.Running), Total(p.Pending), Total(p.Dispatched), Total(p.Throttled), p.NoFound);

    private static int Total(Metrics m) => m.QueryJobs + m.LoadJobs + m.CopyJobs + m.OtherJobs;

    private static string? Truncate(string? text, int max = MaxErrorLength) =>
        text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}
