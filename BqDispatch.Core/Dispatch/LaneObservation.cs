using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>Sorts one project's active jobs (a jobs.list of PENDING and RUNNING) into its lanes, for the throttle and the status.</summary>
public static class LaneObservation
{
    /// <param name="recentSince">Jobs created since then are recent: a reservation of their lane may have waited for them.</param>
    public static ObservedJobs Of(string project, IEnumerable<JobSnapshot> active, LaneRules lanes, DateTimeOffset recentSince)
    {
        var counts = new Dictionary<string, KindCounts>(StringComparer.Ordinal);
        var recent = new List<(DateTimeOffset Created, string Lane)>();
        foreach (var job in active)
        {
            var lane = lanes.Assign(LaneSubjects.Of(project, job));
            counts[lane] = counts.GetValueOrDefault(lane, KindCounts.Zero).Add(JobKinds.FromJobType(job.Type));
            if (job.Created >= recentSince)
            {
                recent.Add((job.Created, lane));
            }
        }

        var kept = recent.OrderByDescending(r => r.Created).Take(ObservedJobs.MaxRecent).ToLookup(r => r.Lane, r => r.Created, StringComparer.Ordinal);
        return new ObservedJobs(counts
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new LaneJobs(c.Key, c.Value.Query, c.Value.Load, c.Value.Copy, c.Value.Other, [.. kept[c.Key]]))
            .ToList());
    }
}
