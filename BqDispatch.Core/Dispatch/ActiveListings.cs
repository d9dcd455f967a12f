using System.Collections.Concurrent;
using System.Diagnostics;
using BqDispatch.Core.BigQuery;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The active-jobs listings of one scan, one per project: started the first time the scan names the project (when a
/// folder of it is found, or a root page holds traces) and shared by every page of that project, whose traces are
/// classified only once it has ended.
/// </summary>
public sealed class ActiveListings(JobStateResolver resolver, DateTimeOffset now, CancellationToken cancellation)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ActiveListing>>> listings = new(StringComparer.Ordinal);

    /// <summary>The listing of <paramref name="project"/>, started now if it was not yet.</summary>
    public Task<ActiveListing> Of(string project) => listings.GetOrAdd(project, p => new(() => List(p))).Value;

    /// <summary>Every listing started so far, by project, once all have ended.</summary>
    public async Task<IReadOnlyDictionary<string, ActiveListing>> Ended()
    {
        var started = listings.ToArray();
        var ended = await Task.WhenAll(started.Select(l => l.Value.Value));
        return started.Select(l => l.Key).Zip(ended).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    private async Task<ActiveListing> List(string project)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            return new ActiveListing(await resolver.ListActive(project, now, cancellation), false, null, watch.Elapsed);
        }
        catch (BigQueryException e) when (e.Status == 404)
        {
            return new ActiveListing(null, true, ActiveListing.UnknownProject(project, e), watch.Elapsed);
        }
        catch (BigQueryException e)
        {
            return new ActiveListing(null, false, ActiveListing.Failure(project, e), watch.Elapsed);
        }
    }
}
