using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// Sorts one project's active jobs (a jobs.list of PENDING and RUNNING, taken in job by job) into its lanes, for the
/// throttle and the status: counts by kind, and the creation times of the recent ones.
/// </summary>
/// <param name="recentSince">Jobs created since then are recent: a reservation of their lane may have waited for them.</param>
public sealed class LaneObservation(string project, LaneRules lanes, DateTimeOffset recentSince)
{
    private readonly Dictionary<string, KindCounts> counts = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset Created, string Lane)> recent = [];

    public void Add(JobSnapshot job)
    {
        // Describing a job costs a parse of its id: a listing of 100,000 active jobs does without when no lane could use it.
        var lane = lanes.AnyMatching ? lanes.Assign(LaneSubjects.Of(project, job)) : lanes.Book.Main.Name;
        counts[lane] = counts.GetValueOrDefault(lane, KindCounts.Zero).Add(JobKinds.FromJobType(job.Type));
        if (job.Created >= recentSince)
        {
            recent.Add((job.Created, lane));
        }
    }

    /// <summary>What was taken in, per lane; at most <see cref="ObservedJobs.MaxRecent"/> recent jobs, the newest.</summary>
    public ObservedJobs Observed()
    {
        var kept = recent.OrderByDescending(r => r.Created).Take(ObservedJobs.MaxRecent).ToLookup(r => r.Lane, r => r.Created, StringComparer.Ordinal);
        return new ObservedJobs(counts
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new LaneJobs(c.Key, c.Value.Query, c.Value.Load, c.Value.Copy, c.Value.Other, [.. kept[c.Key]]))
            .ToList());
    }
}
