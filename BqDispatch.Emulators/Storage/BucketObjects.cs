namespace BqDispatch.Emulators.Storage;

/// <summary>
/// One bucket's live objects: found by name, and read in name order from any name on, so a list page seeks to
/// its cursor instead of walking the bucket from the start (as the service does: a page costs the same early or late).
/// Not thread-safe; <see cref="ObjectTable"/> holds its lock.
/// </summary>
internal sealed class BucketObjects
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly SortedSet<string> names = new(Utf8NameComparer.Instance);

    public Entry? Find(string name) => entries.GetValueOrDefault(name);

    public bool Contains(string name) => entries.ContainsKey(name);

    public void Set(string name, Entry entry)
    {
        if (entries.TryAdd(name, entry))
        {
            names.Add(name);
        }
        else
        {
            entries[name] = entry;
        }
    }

    public bool Remove(string name) => entries.Remove(name) && names.Remove(name);

    /// <summary>Every object, in name order.</summary>
    public IEnumerable<Entry> All() => names.Select(name => entries[name]);

    /// <summary>The names at or after <paramref name="from"/>, in name order (a view of the tree: finding the start is O(log n)).</summary>
    public IEnumerable<string> NamesFrom(string from) =>
        names.Count == 0 || Utf8NameComparer.Instance.Compare(from, names.Max) > 0 ? [] : names.GetViewBetween(from, names.Max);
}
