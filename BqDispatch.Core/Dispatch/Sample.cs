namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The first few of many strings in ordinal order, and how many there were: what a report shows of a long list, the
/// same whatever order the items arrived in (pages of several folders and ranges arrive interleaved). Not thread-safe.
/// </summary>
public sealed class Sample(int capacity)
{
    private readonly SortedSet<string> kept = new(StringComparer.Ordinal);

    /// <summary>Items added, duplicates included.</summary>
    public int Total { get; private set; }

    /// <summary>The smallest items, at most the capacity, in order.</summary>
    public IReadOnlyList<string> Items => [.. kept];

    public void Add(string item)
    {
        Total++;
        if (kept.Add(item) && kept.Count > capacity)
        {
            kept.Remove(kept.Max!);
        }
    }
}
