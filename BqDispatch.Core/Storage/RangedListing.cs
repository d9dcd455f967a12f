using System.Collections.Concurrent;

namespace BqDispatch.Core.Storage;

/// <summary>
/// Lists big folders in parallel name ranges. A listing is paged one request after another (each page needs the token of
/// the one before), so a folder of a million objects costs a thousand round trips in a row; ranges (Cloud Storage's
/// startOffset/endOffset) let them overlap. Where to split a folder is learned from its previous listing: the first name
/// of every page it read cuts the folder into whole pages. Each range ends with a partly filled page, so a folder is split
/// only into ranges of at least 100 pages (by default): that keeps the extra requests under 1%.
/// Thread-safe; one instance lives as long as the dispatcher, so what it learned carries over from cycle to cycle.
/// </summary>
/// <param name="minPagesPerRange">A range is worth its extra, partly filled last page only when it fills at least this many.</param>
/// <param name="maxRanges">More ranges than this gain little: a folder's pages then arrive faster than they can be handled.</param>
/// <param name="maxStreams">Listings (folders or ranges) read at once, each holding at most the page its handler works on.</param>
public sealed class RangedListing(int minPagesPerRange = 100, int maxRanges = 16, int maxStreams = 16)
{
    private readonly ConcurrentDictionary<string, string[]> splits = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim streams = new(maxStreams);

    /// <summary>The names where the next listing of <paramref name="folderUrl"/> will be split (empty: one range).</summary>
    public IReadOnlyList<string> SplitsOf(string folderUrl) => splits.GetValueOrDefault(folderUrl) ?? [];

    /// <summary>
    /// Reads every page of the level below <paramref name="folderUrl"/> and hands each to <paramref name="onPage"/>, the
    /// ranges of a split folder at the same time (so the handler must be thread-safe). A range asks for its next page only
    /// when the handler is done with the last one. Throws the first failure of any range, after all ranges ended.
    /// </summary>
    public async Task List(IObjectStore store, string folderUrl, Func<Listing, CancellationToken, ValueTask> onPage, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(onPage);
        var pageStarts = new ConcurrentBag<string>();
        await Task.WhenAll(RangesOf(folderUrl).Select(range => ListRange(store, folderUrl, range, pageStarts, onPage, cancellation)));
        Learn(folderUrl, pageStarts);
    }

    private async Task ListRange(
        IObjectStore store, string folderUrl, NameRange range, ConcurrentBag<string> pageStarts, Func<Listing, CancellationToken, ValueTask> onPage, CancellationToken cancellation)
    {
        await streams.WaitAsync(cancellation);
        try
        {
            await foreach (var page in store.ListPages(folderUrl, range, cancellation))
            {
                if (FirstName(page, folderUrl) is { } first)
                {
                    pageStarts.Add(first);
                }

                await onPage(page, cancellation);
            }
        }
        finally
        {
            streams.Release();
        }
    }

    private List<NameRange> RangesOf(string folderUrl)
    {
        var points = SplitsOf(folderUrl);
        var ranges = new List<NameRange>();
        for (var i = 0; i <= points.Count; i++)
        {
            ranges.Add(new NameRange(i == 0 ? null : points[i - 1], i == points.Count ? null : points[i]));
        }

        return ranges;
    }

    // The first names of evenly spaced pages split the next listing into ranges of whole pages (as long as the folder
    // has not changed much); the ranges stay open at both ends, so names outside the last listing are still read.
    private void Learn(string folderUrl, ConcurrentBag<string> pageStarts)
    {
        var starts = pageStarts.Order(ObjectNameComparer.Instance).ToList();
        var count = Math.Min(maxRanges, starts.Count / minPagesPerRange);
        if (count < 2)
        {
            splits.TryRemove(folderUrl, out _);
            return;
        }

        splits[folderUrl] = [.. Enumerable.Range(1, count - 1).Select(i => starts[i * starts.Count / count])];
    }

    /// <summary>The smallest name on the page, relative to the folder (a sub-folder's name ends with '/').</summary>
    private static string? FirstName(Listing page, string folderUrl)
    {
        var firstObject = page.Objects.Count > 0 ? page.Objects[0].Name : null;
        var firstFolder = page.Folders.Count > 0 ? page.Folders[0][folderUrl.Length..] : null;
        return firstObject is null || (firstFolder is not null && ObjectNameComparer.Instance.Compare(firstFolder, firstObject) < 0)
            ? firstFolder
            : firstObject;
    }
}
