namespace BqDispatch.Core.Throttling;

/// <summary>
/// Query and load jobs that one cycle's jobs.list saw RUNNING or PENDING in a project, and the creation
/// times of the recent ones, which let the lane recognise the jobs its reservations were waiting for.
/// </summary>
public sealed record ObservedJobs(
    int ActiveQuery,
    int ActiveLoad,
    IReadOnlyList<DateTimeOffset> RecentQueryCreated,
    IReadOnlyList<DateTimeOffset> RecentLoadCreated)
{
    public static readonly ObservedJobs None = new(0, 0, [], []);
}
