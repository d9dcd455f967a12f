using System.Collections.Concurrent;
using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Storage;

public sealed class RangedListingTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly MemoryStore store = new() { PageSize = 10 };

    [Fact]
    public async Task A_big_folder_is_split_where_its_last_listing_started_pages_and_is_still_listed_whole()
    {
        var names = Enumerable.Range(0, 95).Select(i => $"t{i:D3}").ToList();
        names.ForEach(name => store.Seed("mem://b/big/" + name, "x"u8));
        store.Seed("mem://b/big/sub/deeper", "x"u8);
        var ranges = new RangedListing(minPagesPerRange: 2, maxRanges: 4);
        var listings = 0;
        store.BeforeOperation = (_, _) => Task.FromResult(Interlocked.Increment(ref listings));

        var first = await Read(ranges, "mem://b/big/");
        var splits = ranges.SplitsOf("mem://b/big/");
        store.Seed("mem://b/big/t0205", "x"u8);
        var second = await Read(ranges, "mem://b/big/");

        // 10 pages of 10 entries ("sub/" first): split at the first names of pages 2, 5 and 7.
        Assert.Equal(["t019", "t049", "t069"], splits);
        Assert.Equal(1 + 4, listings);
        Assert.Equal(["sub/", .. names], first);
        Assert.Equal(["sub/", .. names.Take(21), "t0205", .. names.Skip(21)], second);
    }

    [Fact]
    public async Task A_folder_too_small_for_ranges_of_enough_pages_is_not_split()
    {
        Enumerable.Range(0, 19).ToList().ForEach(i => store.Seed($"mem://b/small/t{i:D3}", "x"u8));
        var ranges = new RangedListing(minPagesPerRange: 2, maxRanges: 4);

        await Read(ranges, "mem://b/small/");

        Assert.Empty(ranges.SplitsOf("mem://b/small/"));
    }

    /// <summary>Every name the listing handed out, in name order.</summary>
    private async Task<List<string>> Read(RangedListing ranges, string folder)
    {
        var seen = new ConcurrentBag<string>();
        await ranges.List(
            store,
            folder,
            (page, _) =>
            {
                foreach (var name in page.Objects.Select(o => o.Name).Concat(page.Folders.Select(f => f[folder.Length..])))
                {
                    seen.Add(name);
                }

                return ValueTask.CompletedTask;
            },
            None);
        return [.. seen.Order(ObjectNameComparer.Instance)];
    }
}
