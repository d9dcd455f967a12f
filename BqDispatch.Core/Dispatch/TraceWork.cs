using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Dispatch;

/// <summary>A trace file whose BigQuery job is DONE (or unknown to BigQuery), with what acting on it needs.</summary>
/// <param name="Project">The BigQuery project of the job (folder project, or the configured project at the root).</param>
/// <param name="Region">The folder region ("" at the root).</param>
/// <param name="Created">The trace object's creation time: it picks the hour folder, so a retry targets the same object.</param>
/// <param name="JobEnded">When BigQuery finished the job, if known: the start of the detection lag.</param>
/// <param name="EvictionReason">Why a trace that is not an orphan is moved to ErrorURL (its hand-off cannot be stored); null for orphans.</param>
/// <param name="Metageneration">As listed: above 1 once a dispatcher claimed the trace (see <see cref="HandOffClaims"/>).</param>
/// <param name="Updated">As listed: when the trace was written or last claimed.</param>
/// <param name="LookFirst">Set when an earlier attempt of this very hand-off may have landed unseen (a failure, a repeat):
/// it takes over whatever claim there is and looks for the trigger object before copying.</param>
/// <param name="Lane">The lane it belongs to (see <see cref="LaneSubjects"/>).</param>
public sealed record TraceWork(
    string Url,
    string RelativeName,
    string Project,
    string Region,
    string JobId,
    string Action,
    JobKind Kind,
    DateTimeOffset Created,
    long Generation,
    DateTimeOffset? JobEnded = null,
    string? EvictionReason = null,
    long Metageneration = 1,
    DateTimeOffset? Updated = null,
    bool LookFirst = false,
    string Lane = Throttling.Lane.MainName);
