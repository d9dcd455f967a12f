namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// One lane in the status document (<c>Lanes.&lt;name&gt;</c>), over all projects. As of the last cycle: Queued,
/// Running, OldestWaitSec. Over the whole run: Dispatched, Throttled.
/// </summary>
public sealed class LaneStatus
{
    public long Priority { get; set; }

    /// <summary>Due work of the lane held back by a limit in the last cycle (the lane's queue, GET /queue).</summary>
    public int Queued { get; set; }

    /// <summary>Jobs of the lane BigQuery shows RUNNING or PENDING, by kind.</summary>
    public Metrics Running { get; set; } = new();

    /// <summary>Traces handed off and windows fired during the run.</summary>
    public int Dispatched { get; set; }

    /// <summary>Pieces of work held back at least once during the run, each counted once.</summary>
    public int Throttled { get; set; }

    /// <summary>How long the longest-waiting queued work has waited (since its job's end, or its window's due time).</summary>
    public long OldestWaitSec { get; set; }
}
