using BqDispatch.Core.Groups;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// What one scan of AsyncTaskURL found, bounded: work lists are oldest first and cut at the request's chunk
/// size, with totals beside them.
/// </summary>
public sealed record TaskFolderScan
{
    /// <summary>Set when the root listing failed; nothing else is filled then.</summary>
    public string? RootError { get; init; }

    public IReadOnlyList<ProjectScan> Projects { get; init; } = [];

    /// <summary>Traces whose job is DONE, with their lanes, in admission order (at most the chunk size).</summary>
    public IReadOnlyList<TraceWork> Done { get; init; } = [];

    public int DoneTotal { get; init; }

    /// <summary>Traces BigQuery has not known for longer than the orphan TTL, oldest first.</summary>
    public IReadOnlyList<TraceWork> Orphans { get; init; } = [];

    /// <summary>Due windows without a marker, with their lanes, in admission order (at most the chunk size).</summary>
    public IReadOnlyList<WindowWork> DueWindows { get; init; } = [];

    public int DueWindowsTotal { get; init; }

    public int WindowsNotDue { get; init; }

    /// <summary>When the first window that is not due yet will be (null: none waits).</summary>
    public DateTimeOffset? NextWindowDue { get; init; }

    public int WindowsScheduled { get; init; }

    public IReadOnlyList<StalledPair> StalledPairs { get; init; } = [];

    public IReadOnlyList<ObjectVersion> OrphanMarkers { get; init; } = [];

    /// <summary>Objects that are neither traces nor windows nor markers (e.g. bqtail's .grp counters).</summary>
    public int Ignored { get; init; }

    /// <summary>Up to ten ignored names that are not known bqtail files, for the operator.</summary>
    public IReadOnlyList<string> IgnoredSamples { get; init; } = [];

    /// <summary>Keys of the request's awaited follow-ups that BqTail has acted on (see <see cref="FollowUpEvidence"/>).</summary>
    public IReadOnlyList<string> Settled { get; init; } = [];

    /// <summary>The groups of AsyncTaskURL/_groups/: the waiting ones and the ones to complete now.</summary>
    public GroupScan Groups { get; init; } = GroupScan.None;

    /// <summary>Problems that left work undone: folder or jobs.list failures, malformed window names.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    public int ListCalls { get; init; }

    public int ListPages { get; init; }

    public int GetCalls { get; init; }

    public TimeSpan ListTime { get; init; }
}

/// <summary>One BigQuery project as this scan saw it.</summary>
/// <param name="Count">Traces whose job is not DONE yet.</param>
/// <param name="Running">Jobs BigQuery shows RUNNING in the project (all visible users), by kind.</param>
/// <param name="NoFound">Traces whose job BigQuery does not know.</param>
/// <param name="Unresolved">Traces whose state could not be learned this cycle (failures, get budget).</param>
public sealed record ProjectScan(
    string Project,
    string Region,
    int Count,
    KindCounts Running,
    KindCounts Pending,
    ObservedJobs Observed,
    int NoFound,
    int Unresolved);
