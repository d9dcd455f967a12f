namespace BqDispatch.Core.Routes;

/// <summary>
/// How the route sweep reads the jobs it saw running that have finished since: a jobs.get each, or one DONE listing of
/// the creation window they fall in, whichever costs fewer calls. A long-running job in a busy project is cheaper to
/// get; many jobs of the last seconds are cheaper to list. A window's pages are estimated from the jobs per second the
/// sweep's own listing showed (1,000 jobs a page).
/// </summary>
public static class FinishedLookup
{
    private const double JobsPerPage = 1_000;

    /// <summary>
    /// Of jobs sorted by creation, oldest first, the index from which on (the newer ones) one listing up to
    /// <paramref name="until"/> costs less than getting them one by one; the count when getting them all is cheapest.
    /// </summary>
    public static int ListFrom(IReadOnlyList<DateTimeOffset> createdAscending, DateTimeOffset until, double jobsPerSecond)
    {
        var from = createdAscending.Count;
        double cheapest = createdAscending.Count;
        for (var i = 0; i < createdAscending.Count; i++)
        {
            var window = Math.Max(0, (until - createdAscending[i]).TotalSeconds);
            var cost = i + Math.Max(1, Math.Ceiling(jobsPerSecond * window / JobsPerPage));
            if (cost < cheapest)
            {
                (from, cheapest) = (i, cost);
            }
        }

        return from;
    }
}
