using System.Text;
using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Storage;

public sealed class MemoryStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly MemoryStore _store = new();

    public MemoryStoreTests()
    {
        _store.CreateBucket("b");
    }

    [Fact]
    public async Task MissingBucket_Throws404_OnEveryOperation()
    {
        var calls = new Func<Task>[]
        {
            () => _store.List("mem://nope/", None),
            () => _store.Read("mem://nope/x", None),
            () => _store.Create("mem://nope/x", "x"u8.ToArray(), None),
            () => _store.Put("mem://nope/x", "x"u8.ToArray(), None),
            () => _store.Delete("mem://nope/x", 1, None),
            () => _store.CopyIfAbsent("mem://b/x", 1, null, "mem://nope/y", None),
        };

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<StorageException>(call);
            Assert.Equal(404, error.Status);
            Assert.Contains("bucket not found", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ListPages_CutsALevelIntoPages_ObjectsAndFoldersMergedInNameOrder()
    {
        var store = new MemoryStore { PageSize = 2 };
        foreach (var name in new[] { "a", "b/x", "c", "d/y", "d/z", "e" })
        {
            store.Seed("mem://p/f/" + name, "x"u8);
        }

        var pages = new List<string>();
        await foreach (var page in store.ListPages("mem://p/f/", NameRange.All, None))
        {
            pages.Add(string.Join(",", page.Objects.Select(o => o.Url).Concat(page.Folders).Order(StringComparer.Ordinal)));
        }

        Assert.Equal(["mem://p/f/a,mem://p/f/b/", "mem://p/f/c,mem://p/f/d/", "mem://p/f/e"], pages);
    }

    [Fact]
    public async Task CreationCount_CountsEveryAppearance_NotOverwrites()
    {
        const string url = "mem://b/t/trigger";
        Assert.Equal(0, _store.CreationCount(url));

        await _store.Create(url, "1"u8.ToArray(), None);
        await _store.Create(url, "2"u8.ToArray(), None);
        await _store.Put(url, "3"u8.ToArray(), None);
        Assert.Equal(1, _store.CreationCount(url));

        var current = _store.TryGet(url)!;
        await _store.Delete(url, current.Generation, None);
        Assert.Equal(1, _store.CreationCount(url));
        Assert.False(_store.Exists(url));

        var source = _store.Seed("mem://b/src", "s"u8);
        await _store.CopyIfAbsent(source.Url, source.Generation, null, url, None);
        Assert.Equal(2, _store.CreationCount(url));
    }

    [Fact]
    public async Task Seed_CreatesTheBucket_AndSetsTimes()
    {
        var created = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

        var seeded = _store.Seed("mem://fresh/in/trace", "abc"u8, created);
        var listing = await _store.List("mem://fresh/in/", None);

        var listed = Assert.Single(listing.Objects);
        Assert.Equal(seeded, listed);
        Assert.Equal(created, listed.Created);
        Assert.Equal(created, listed.Updated);
        Assert.Equal(3, listed.Size);
        Assert.True(_store.Exists("mem://fresh/in/trace"));
    }

    [Fact]
    public async Task Clock_StampsWrites_AndGenerationsIncrease()
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var store = new MemoryStore(() => now);
        store.CreateBucket("b");

        await store.Create("mem://b/a", "1"u8.ToArray(), None);
        now = now.AddMinutes(1);
        await store.Create("mem://b/b", "2"u8.ToArray(), None);

        var objects = (await store.List("mem://b/", None)).Objects;
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), objects[0].Updated);
        Assert.Equal(now, objects[1].Created);
        Assert.True(objects[1].Generation > objects[0].Generation);
    }

    [Fact]
    public async Task BeforeOperation_Throwing_LeavesStateUntouched()
    {
        var seen = new List<(StoreOperation, string)>();
        _store.BeforeOperation = (operation, url) =>
        {
            seen.Add((operation, url));
            return operation == StoreOperation.Create ? throw new StorageException(url, 503, "injected") : Task.CompletedTask;
        };

        var error = await Assert.ThrowsAsync<StorageException>(() => _store.Create("mem://b/x", "x"u8.ToArray(), None));
        await _store.List("mem://b/", None);

        Assert.Equal(503, error.Status);
        Assert.False(_store.Exists("mem://b/x"));
        Assert.Equal(0, _store.CreationCount("mem://b/x"));
        Assert.Equal([(StoreOperation.Create, "mem://b/x"), (StoreOperation.List, "mem://b/")], seen);
    }

    [Fact]
    public async Task BeforeOperation_ReportsCopiesByDestination_AndMayDelay()
    {
        var source = _store.Seed("mem://b/in/t", "t"u8);
        var seen = new List<(StoreOperation, string)>();
        _store.BeforeOperation = async (operation, url) =>
        {
            seen.Add((operation, url));
            await Task.Delay(1);
        };

        Assert.Equal(CopyOutcome.Copied, await _store.CopyIfAbsent(source.Url, source.Generation, null, "mem://b/out/t", None));
        Assert.Equal(DeleteOutcome.Deleted, await _store.Delete(source.Url, source.Generation, None));

        Assert.Equal([(StoreOperation.Copy, "mem://b/out/t"), (StoreOperation.Delete, "mem://b/in/t")], seen);
    }

    [Fact]
    public async Task AfterOperation_Throwing_SimulatesALostResponse()
    {
        _store.AfterOperation = (operation, url) => throw new StorageException(url, 0, "connection reset");

        await Assert.ThrowsAsync<StorageException>(() => _store.Create("mem://b/x", "x"u8.ToArray(), None));

        Assert.True(_store.Exists("mem://b/x"));
        _store.AfterOperation = null;
        Assert.Equal(CreateOutcome.AlreadyExists, await _store.Create("mem://b/x", "y"u8.ToArray(), None));
    }

    [Fact]
    public async Task Read_ReturnsACopy()
    {
        _store.Seed("mem://b/x", "abc"u8);

        var first = await _store.Read("mem://b/x", None);
        first[0] = (byte)'z';

        Assert.Equal("abc", Encoding.UTF8.GetString(await _store.Read("mem://b/x", None)));
    }

    [Fact]
    public async Task FileUrls_AreRejectedWith400()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => _store.Read("file:///tmp/x", None));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task ManyConcurrentWriters_KeepGenerationsUnique()
    {
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => _store.Put($"mem://b/p/{i % 20}", "x"u8.ToArray(), None))));

        var objects = (await _store.List("mem://b/p/", None)).Objects;
        Assert.Equal(20, objects.Count);
        Assert.Equal(20, objects.Select(o => o.Generation).Distinct().Count());
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(1, _store.CreationCount($"mem://b/p/{i}")));
    }
}
