namespace BqDispatch.Core.Throttling;

/// <summary>
/// The order work is admitted in, inside a project: work that waited longer than its lane's MaxWaitSec first, then the
/// lower priority number, then the older. The scan cuts its chunk in the same order, so what waits beyond a cycle's
/// chunk is what would have been held anyway.
/// </summary>
public static class AdmissionOrder
{
    /// <summary>Sorts stably: items equal in order keep their given order.</summary>
    public static IEnumerable<T> Sort<T>(
        IEnumerable<T> items, Func<T, (Lane Lane, DateTimeOffset Age, DateTimeOffset WaitingSince)> describe, DateTimeOffset now) =>
        items.Select(item => (Item: item, Key: Key(describe(item), now)))
            .OrderBy(e => e.Key.Fresh)
            .ThenBy(e => e.Key.Priority)
            .ThenBy(e => e.Key.Age)
            .Select(e => e.Item);

    public static IEnumerable<AdmissionCandidate> Sort(IEnumerable<AdmissionCandidate> candidates, LaneBook lanes, DateTimeOffset now) =>
        Sort(candidates, c => (lanes[c.Lane], c.Age, c.WaitingSince), now);

    private static (bool Fresh, long Priority, DateTimeOffset Age) Key((Lane Lane, DateTimeOffset Age, DateTimeOffset WaitingSince) work, DateTimeOffset now) =>
        (!work.Lane.IsAged(work.WaitingSince, now), work.Lane.Priority, work.Age);
}
