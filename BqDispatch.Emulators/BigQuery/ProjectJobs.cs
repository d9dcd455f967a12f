namespace BqDispatch.Emulators.BigQuery;

/// <summary>
/// One project's jobs: found by id, and read in jobs.list order (creation time descending, then job id) from any
/// position on, so a list page seeks to its cursor instead of sorting and walking the project from the start.
/// Not thread-safe; <see cref="JobStore"/> holds its lock.
/// </summary>
internal sealed class ProjectJobs
{
    private readonly Dictionary<string, EmulatedJob> jobs = new(StringComparer.Ordinal);
    private readonly SortedSet<(long CreatedMs, string JobId)> order = new(ListOrder.Instance);

    public EmulatedJob? Find(string jobId) => jobs.GetValueOrDefault(jobId);

    public IEnumerable<EmulatedJob> All => jobs.Values;

    public bool TryAdd(EmulatedJob job)
    {
        if (!jobs.TryAdd(job.JobId, job))
        {
            return false;
        }

        order.Add(Key(job));
        return true;
    }

    public void Replace(EmulatedJob job)
    {
        order.Remove(Key(jobs[job.JobId]));
        jobs[job.JobId] = job;
        order.Add(Key(job));
    }

    public bool Remove(string jobId) => jobs.Remove(jobId, out var job) && order.Remove(Key(job));

    /// <summary>Jobs at or after <paramref name="from"/> in list order (a view of the tree: finding the start is O(log n)).</summary>
    public IEnumerable<EmulatedJob> From((long CreatedMs, string JobId) from) =>
        order.Count == 0 || ListOrder.Instance.Compare(from, order.Max) > 0
            ? []
            : order.GetViewBetween(from, order.Max).Select(key => jobs[key.JobId]);

    private static (long CreatedMs, string JobId) Key(EmulatedJob job) => (job.Created.ToUnixTimeMilliseconds(), job.JobId);

    /// <summary>Newest first, then by job id.</summary>
    private sealed class ListOrder : IComparer<(long CreatedMs, string JobId)>
    {
        public static ListOrder Instance { get; } = new();

        public int Compare((long CreatedMs, string JobId) x, (long CreatedMs, string JobId) y) =>
            x.CreatedMs != y.CreatedMs ? y.CreatedMs.CompareTo(x.CreatedMs) : string.CompareOrdinal(x.JobId, y.JobId);
    }
}
