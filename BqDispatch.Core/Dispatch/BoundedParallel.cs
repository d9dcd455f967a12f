namespace BqDispatch.Core.Dispatch;

/// <summary>Runs one async step per item with at most <c>parallelism</c> in flight, keeping results in item order.</summary>
public static class BoundedParallel
{
    public static async Task<TResult[]> Map<TItem, TResult>(
        IReadOnlyList<TItem> items, int parallelism, Func<TItem, CancellationToken, Task<TResult>> step, CancellationToken cancellation)
    {
        var results = new TResult[items.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellation },
            async (i, ct) => results[i] = await step(items[i], ct));
        return results;
    }
}
