namespace BqDispatch.Core.Dispatch.Status;

/// <summary>Counts over the whole run that bqtail's document has no field for.</summary>
public sealed class RunTotals
{
    /// <summary>Traces this run copied to the trigger bucket.</summary>
    public int HandedOff { get; set; }

    /// <summary>
    /// Traces whose trigger object already existed or had existed (consumed by BqTail since): another dispatcher, an earlier
    /// interrupted run, or an earlier attempt of the same activity made it. The trace was removed.
    /// </summary>
    public int AlreadyHandedOff { get; set; }

    /// <summary>Traces that disappeared before this run could move them and were never handed off (benign).</summary>
    public int SourceGone { get; set; }

    public int HandOffsFailed { get; set; }

    public int WindowsFired { get; set; }

    public int WindowsAlreadyFired { get; set; }

    public int WindowsFailed { get; set; }

    public int StalledPairsRemoved { get; set; }

    public int OrphanMarkersRemoved { get; set; }

    /// <summary>Orphan traces moved to ErrorURL.</summary>
    public int Evicted { get; set; }

    /// <summary>Traces and windows another dispatcher had claimed and was working on, left to it in the last cycle.</summary>
    public int ClaimedElsewhere { get; set; }

    /// <summary>DONE traces and due windows left for later runs after the last cycle (chunk limit or throttle).</summary>
    public int Backlog { get; set; }

    /// <summary>Traces whose job state could not be learned in the last cycle (BigQuery errors, jobs.get budget).</summary>
    public int Unresolved { get; set; }

    /// <summary>Objects in the task folder that are not traces, windows or markers (last cycle).</summary>
    public int Ignored { get; set; }

    public List<string> IgnoredSamples { get; set; } = [];

    /// <summary>jobs.list HTTP pages read during the run.</summary>
    public int ListPages { get; set; }

    /// <summary>Average time from a job's end (BigQuery's endTime) to the cycle that noticed it, over this run's hand-offs.</summary>
    public long DetectionLagAvgMs { get; set; }

    /// <summary>Longest such time in this run.</summary>
    public long DetectionLagMaxMs { get; set; }

    /// <summary>DONE jobs of the route projects that no route rule matched, during the run.</summary>
    public int RouteUnmatched { get; set; }

    /// <summary>Jobs the route sweep looks at again next cycle (routing failed or in flight elsewhere), after the last cycle.</summary>
    public int RouteWaiting { get; set; }

    /// <summary>jobs.list pages and jobs.get calls of the route sweep during the run.</summary>
    public int RouteListPages { get; set; }

    public int RouteGetCalls { get; set; }

    /// <summary>Route journal records removed (older than the look-back plus a day).</summary>
    public int RouteRecordsRemoved { get; set; }

    /// <summary>Groups waiting for members (or to be closed) after the last cycle.</summary>
    public int GroupsWaiting { get; set; }

    /// <summary>Groups whose post-action file this run wrote (or completed without one: no actions for the outcome).</summary>
    public int GroupsCompleted { get; set; }

    /// <summary>Of <see cref="GroupsCompleted"/>, those completed with the failure actions (a member failed, or the deadline passed).</summary>
    public int GroupsFailed { get; set; }

    /// <summary>Groups found completed before (a retry, or another dispatcher): only the move of the group file was finished.</summary>
    public int GroupsAlreadyCompleted { get; set; }

    /// <summary>Attempts to complete a group that failed (tried again next cycle).</summary>
    public int GroupCompletionsFailed { get; set; }

    /// <summary>Group files that cannot be used, after the last cycle (each is named in Errors).</summary>
    public int GroupsMalformed { get; set; }

    /// <summary>Handed-off traces not listed in Jobs because the map reached its size limit.</summary>
    public int JobsOmitted { get; set; }
}
