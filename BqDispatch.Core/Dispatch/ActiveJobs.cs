using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The PENDING and RUNNING jobs one project's jobs.list showed, kept as small as deciding on traces allows: their ids
/// (a trace whose job is among them waits, and nothing more about it is kept) and the counts the throttle needs, per lane.
/// </summary>
/// <param name="recentSince">Jobs created since then are recent: the throttle matches its reservations against them, whatever
/// their kind (whatever BqTail starts after a hand-off is evidence that BigQuery now counts it).</param>
public sealed class ActiveJobs(string project, LaneRules lanes, DateTimeOffset recentSince)
{
    private readonly HashSet<string> ids = new(StringComparer.Ordinal);
    private readonly LaneObservation observation = new(project, lanes, recentSince);
    private KindCounts running = KindCounts.Zero;
    private KindCounts pending = KindCounts.Zero;

    /// <summary>jobs.list pages read.</summary>
    public int Pages { get; private set; }

    public bool Contains(string jobId) => ids.Contains(jobId);

    /// <summary>Takes in one page of the listing.</summary>
    public void Add(JobListPage page)
    {
        Pages++;
        foreach (var job in page.Jobs)
        {
            ids.Add(job.JobId);
            var kind = JobKinds.FromJobType(job.Type);
            if (job.State == JobState.Running)
            {
                running = running.Add(kind);
            }
            else
            {
                pending = pending.Add(kind);
            }

            observation.Add(job);
        }
    }

    /// <summary>What the throttle and the status document learn from the listing.</summary>
    public ProjectObservation Observation() => new(observation.Observed(), running, pending);
}
