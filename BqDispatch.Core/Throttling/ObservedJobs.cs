namespace BqDispatch.Core.Throttling;

/// <summary>
/// Query and load jobs that one cycle's jobs.list saw RUNNING or PENDING in a project, and the creation times of the
/// recent jobs of any kind: a new job is evidence that BigQuery now counts what a reservation was holding a slot for.
/// </summary>
public sealed record ObservedJobs(int ActiveQuery, int ActiveLoad, IReadOnlyList<DateTimeOffset> RecentCreated)
{
    /// <summary>Most recent creation times kept, newest first: enough to match every reservation a lane can hold.</summary>
    public const int MaxRecent = 1_000;

    public static readonly ObservedJobs None = new(0, 0, []);
}
