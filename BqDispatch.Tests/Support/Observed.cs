using BqDispatch.Core.Throttling;

namespace BqDispatch.Tests.Support;

/// <summary>Observations of active jobs for throttle tests.</summary>
public static class Observed
{
    /// <summary>Active query and load jobs, and recent creation times, all in one lane (main unless said).</summary>
    public static ObservedJobs Jobs(int query, int load, IReadOnlyList<DateTimeOffset>? recent = null, string lane = Lane.MainName) =>
        new([new LaneJobs(lane, query, load, 0, 0, recent ?? [])]);
}
