using System.Text;
using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Storage;

/// <summary>The behaviour every <see cref="IObjectStore"/> backend must share; run once per backend.</summary>
public abstract class ObjectStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The store under test.</summary>
    protected abstract IObjectStore Store { get; }

    /// <summary>An empty folder URL (ending with '/') the test owns.</summary>
    protected abstract string Base { get; }

    /// <summary>Whether the backend remembers deleted objects, as a Cloud Storage bucket with soft delete does.</summary>
    protected virtual bool KeepsDeletedObjects => true;

    /// <summary>Whether the backend records claims in a metageneration (a file has no metadata).</summary>
    protected virtual bool RecordsClaims => true;

    private string At(string relative) => StorageUrl.Join(Base, relative);

    private Task<CreateOutcome> Create(string relative, string text) => Store.Create(At(relative), Encoding.UTF8.GetBytes(text), None);

    private async Task<string> ReadText(string relative) => Encoding.UTF8.GetString(await Store.Read(At(relative), None));

    private async Task<StoredObject> Stat(string relative)
    {
        var url = StorageUrl.Parse(At(relative));
        var listing = await Store.List(url.Folder.ToString(), None);
        return Assert.Single(listing.Objects, o => o.Name == url.Name);
    }

    [Fact]
    public async Task Claim_ChangesTheMetageneration_AndACopyPinnedToAnOlderClaimFails()
    {
        await Create("c/src", "payload");
        var listed = await Stat("c/src");
        Assert.Equal(1, listed.Metageneration);

        var first = await Store.Claim(At("c/src"), listed.Generation, listed.Metageneration, None);
        var late = await Store.Claim(At("c/src"), listed.Generation, listed.Metageneration, None);
        var takeover = await Store.Claim(At("c/src"), listed.Generation, null, None);
        var stale = await Store.Claim(At("c/src"), listed.Generation + 1, null, None);

        Assert.Equal(ClaimOutcome.Claimed, first.Outcome);
        Assert.Equal(ClaimOutcome.Claimed, takeover.Outcome);
        Assert.Equal(ClaimOutcome.Gone, stale.Outcome);
        if (!RecordsClaims)
        {
            Assert.Equal(ClaimOutcome.Claimed, late.Outcome);
            return;
        }

        Assert.Equal(ClaimOutcome.Taken, late.Outcome);
        Assert.Equal((2, 3), (first.Metageneration, takeover.Metageneration));
        Assert.Equal(3, (await Stat("c/src")).Metageneration);
        Assert.Equal(listed.Generation, (await Stat("c/src")).Generation);
        Assert.Equal(CopyOutcome.SourceChanged, await Store.CopyIfAbsent(At("c/src"), listed.Generation, first.Metageneration, At("c/dst"), None));
        Assert.Equal(CopyOutcome.Copied, await Store.CopyIfAbsent(At("c/src"), listed.Generation, takeover.Metageneration, At("c/dst"), None));
        Assert.Equal("payload", await ReadText("c/dst"));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Delete(At("c/src"), listed.Generation, None));
        Assert.Equal(ClaimOutcome.Gone, (await Store.Claim(At("c/src"), listed.Generation, null, None)).Outcome);
    }

    [Fact]
    public async Task Presence_TellsNeverWritten_FromLive_FromDeleted()
    {
        Assert.Equal(ObjectPresence.Absent, await Store.Presence(At("p/x"), None));
        await Create("p/x", "x");
        await Create("p/x.longer", "y");
        Assert.Equal(ObjectPresence.Live, await Store.Presence(At("p/x"), None));

        Assert.Equal(DeleteOutcome.Deleted, await Store.Delete(At("p/x"), (await Stat("p/x")).Generation, None));

        Assert.Equal(KeepsDeletedObjects ? ObjectPresence.Deleted : ObjectPresence.Absent, await Store.Presence(At("p/x"), None));
        Assert.Equal(ObjectPresence.Absent, await Store.Presence(At("p/x.lo"), None));
    }

    [Fact]
    public async Task List_ReturnsOneLevel_ObjectsAndFolders_InNameOrder()
    {
        foreach (var name in new[] { "b.txt", "a.txt", "a.b", "sub/x", "sub/deeper/y", "a-b/z", "zeta/q" })
        {
            Assert.Equal(CreateOutcome.Created, await Create(name, name));
        }

        var listing = await Store.List(Base, None);

        Assert.Equal(["a.b", "a.txt", "b.txt"], listing.Objects.Select(o => o.Name));
        Assert.Equal([At("a-b/"), At("sub/"), At("zeta/")], listing.Folders);
        var a = listing.Objects[1];
        Assert.Equal(At("a.txt"), a.Url);
        Assert.Equal(5, a.Size);
        Assert.True(a.Generation > 0);

        var sub = await Store.List(At("sub/"), None);
        Assert.Equal([At("sub/x")], sub.Objects.Select(o => o.Url));
        Assert.Equal([At("sub/deeper/")], sub.Folders);
    }

    [Fact]
    public async Task ListPages_InRangesThatPartitionTheNames_ListsEachObjectOnce_InTheRangeHoldingItsName()
    {
        var names = new[] { "a.txt", "b%2Fc", "m", "sub/x", "sub/y", "\U0001F600", "\uFF61", "z" };
        foreach (var name in names)
        {
            await Create(name, "x");
        }

        // Cloud Storage's order puts the emoji after U+FF61, so the last range holds both.
        NameRange[] ranges = [new(null, "b%2Fc"), new("b%2Fc", "sub/"), new("sub/", "\uFF61"), new("\uFF61", null)];
        var listed = new List<(int Range, string Name)>();
        var folders = new List<(int Range, string Url)>();
        for (var i = 0; i < ranges.Length; i++)
        {
            await foreach (var page in Store.ListPages(Base, ranges[i], None))
            {
                listed.AddRange(page.Objects.Select(o => (i, o.Name)));
                folders.AddRange(page.Folders.Select(f => (i, f)));
            }
        }

        Assert.Equal([(0, "a.txt"), (1, "b%2Fc"), (1, "m"), (2, "z"), (3, "\uFF61"), (3, "\U0001F600")], listed);
        Assert.Equal([(2, At("sub/"))], folders);
    }

    [Fact]
    public async Task ListPages_EndingWith_ListsOnlyTheObjectsOfTheLevelThatEndSo()
    {
        foreach (var name in new[] { "a.t--7_00001_load--dispatch", "b_t--7_00001_load--dispatch.json", "c--7_00001_load--dispatch",
            "d--17_00001_load--dispatch", "sub/e--7_00001_load--dispatch" })
        {
            await Create(name, "x");
        }

        var listed = new List<string>();
        var folders = new List<string>();
        await foreach (var page in Store.ListPages(Base, NameRange.Ending("--7_00001_load--dispatch"), None))
        {
            listed.AddRange(page.Objects.Select(o => o.Name));
            folders.AddRange(page.Folders);
        }

        Assert.Equal(["a.t--7_00001_load--dispatch", "c--7_00001_load--dispatch"], listed);
        Assert.Empty(folders);
    }

    [Fact]
    public void EndingWith_RefusesGlobAndFolderCharacters()
    {
        Assert.Throws<ArgumentException>(() => NameRange.Ending("x*"));
        Assert.Throws<ArgumentException>(() => NameRange.Ending("sub/x"));
    }

    [Fact]
    public async Task List_WithoutTrailingSlash_IsTheSameFolder_AndAnAbsentFolderIsEmpty()
    {
        await Create("sub/x", "x");

        var listing = await Store.List(Base + "sub", None);
        var absent = await Store.List(At("nothing-here/"), None);

        Assert.Equal([At("sub/x")], listing.Objects.Select(o => o.Url));
        Assert.Empty(absent.Objects);
        Assert.Empty(absent.Folders);
    }

    [Fact]
    public async Task List_OrdersLikeCloudStorage_ByUtf8Bytes()
    {
        // UTF-16 ordinal order would put the emoji (a surrogate pair) before U+FF61; UTF-8 order puts it after.
        foreach (var name in new[] { "\U0001F600", "\uFF61", "Z", "a", "~" })
        {
            await Create(name, "x");
        }

        var listing = await Store.List(Base, None);

        Assert.Equal(["Z", "a", "~", "\uFF61", "\U0001F600"], listing.Objects.Select(o => o.Name));
    }

    [Fact]
    public async Task Read_Missing_Throws404()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => Store.Read(At("missing"), None));

        Assert.Equal(404, error.Status);
        Assert.Equal(At("missing"), error.Url);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Create_Twice_SecondReportsAlreadyExists_AndKeepsFirstContent()
    {
        Assert.Equal(CreateOutcome.Created, await Create("once", "first"));
        Assert.Equal(CreateOutcome.AlreadyExists, await Create("once", "second"));

        Assert.Equal("first", await ReadText("once"));
    }

    [Fact]
    public async Task Put_CreatesThenOverwrites_WithANewGeneration()
    {
        await Store.Put(At("journal/performance.json"), "v1"u8.ToArray(), None);
        var first = await Stat("journal/performance.json");
        await Store.Put(At("journal/performance.json"), "v2-longer"u8.ToArray(), None);
        var second = await Stat("journal/performance.json");

        Assert.Equal("v2-longer", await ReadText("journal/performance.json"));
        Assert.NotEqual(first.Generation, second.Generation);
        Assert.Equal(9, second.Size);
    }

    [Fact]
    public async Task Generation_ChangesWhenAnObjectIsRecreated()
    {
        await Create("g", "1");
        var first = await Stat("g");
        Assert.Equal(DeleteOutcome.Deleted, await Store.Delete(At("g"), first.Generation, None));
        await Create("g", "1");
        var second = await Stat("g");

        Assert.NotEqual(first.Generation, second.Generation);
    }

    [Fact]
    public async Task Copy_CopiesBytesUnchanged_AsANewObject_LeavingTheSource()
    {
        var bytes = new byte[] { 0, 1, 2, 255, 254, 10, 13 };
        await Store.Create(At("in/trace"), bytes, None);
        var source = await Stat("in/trace");

        var outcome = await Store.CopyIfAbsent(source.Url, source.Generation, null, At("out/2024/trace"), None);

        Assert.Equal(CopyOutcome.Copied, outcome);
        Assert.Equal(bytes, await Store.Read(At("out/2024/trace"), None));
        Assert.Equal(bytes, await Store.Read(At("in/trace"), None));
        Assert.NotEqual(source.Generation, (await Stat("out/2024/trace")).Generation);
    }

    [Fact]
    public async Task Copy_WithStaleOrMissingSource_ReportsSourceChanged_AndWritesNothing()
    {
        await Create("in/trace", "v1");
        var stale = await Stat("in/trace");
        await Store.Put(At("in/trace"), "v2"u8.ToArray(), None);

        Assert.Equal(CopyOutcome.SourceChanged, await Store.CopyIfAbsent(At("in/trace"), stale.Generation, null, At("out/a"), None));
        Assert.Equal(CopyOutcome.SourceChanged, await Store.CopyIfAbsent(At("in/gone"), stale.Generation, null, At("out/b"), None));
        Assert.Empty((await Store.List(At("out/"), None)).Objects);
    }

    [Fact]
    public async Task Copy_ToAnExistingDestination_ReportsDestinationExists_AndLeavesItAlone()
    {
        await Create("in/trace", "new");
        await Create("out/trace", "old");
        var source = await Stat("in/trace");
        var before = await Stat("out/trace");

        var outcome = await Store.CopyIfAbsent(source.Url, source.Generation, null, At("out/trace"), None);

        Assert.Equal(CopyOutcome.DestinationExists, outcome);
        Assert.Equal("old", await ReadText("out/trace"));
        Assert.Equal(before.Generation, (await Stat("out/trace")).Generation);
    }

    [Fact]
    public async Task Delete_HonoursTheGeneration()
    {
        await Create("d", "1");
        var first = await Stat("d");
        await Store.Put(At("d"), "2"u8.ToArray(), None);
        var current = await Stat("d");

        Assert.Equal(DeleteOutcome.GenerationChanged, await Store.Delete(At("d"), first.Generation, None));
        Assert.Equal("2", await ReadText("d"));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Delete(At("d"), current.Generation, None));
        Assert.Equal(DeleteOutcome.Missing, await Store.Delete(At("d"), current.Generation, None));
        Assert.Empty((await Store.List(Base, None)).Objects);
    }

    [Fact]
    public async Task Delete_OfTheLastObjectInAFolder_RemovesTheFolderFromListings()
    {
        await Create("only/child", "x");
        var child = await Stat("only/child");

        await Store.Delete(child.Url, child.Generation, None);

        Assert.Empty((await Store.List(Base, None)).Folders);
    }

    [Fact]
    public async Task ConcurrentCreators_ExactlyOneCreates()
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return (i, await Create("race/trigger", $"writer {i}"));
        })).ToArray();
        start.Set();

        var results = await Task.WhenAll(tasks);

        var winner = Assert.Single(results, r => r.Item2 == CreateOutcome.Created);
        Assert.Equal($"writer {winner.i}", await ReadText("race/trigger"));
        Assert.Single((await Store.List(At("race/"), None)).Objects);
    }

    [Fact]
    public async Task ConcurrentCopiers_ExactlyOneCopies()
    {
        await Create("in/trace", "payload");
        var source = await Stat("in/trace");
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await Store.CopyIfAbsent(source.Url, source.Generation, null, At("out/trace"), None);
        })).ToArray();
        start.Set();

        var results = await Task.WhenAll(tasks);

        Assert.Single(results, r => r == CopyOutcome.Copied);
        Assert.All(results, r => Assert.NotEqual(CopyOutcome.SourceChanged, r));
        Assert.Equal("payload", await ReadText("out/trace"));
    }

    [Fact]
    public async Task ConcurrentDeleters_ExactlyOneDeletes()
    {
        await Create("del", "x");
        var target = await Stat("del");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Store.Delete(target.Url, target.Generation, None))));

        Assert.Single(results, r => r == DeleteOutcome.Deleted);
        Assert.All(results, r => Assert.NotEqual(DeleteOutcome.GenerationChanged, r));
    }

    [Fact]
    public async Task TenMegabyteObject_IsCopiedIntact()
    {
        var bytes = new byte[10 * 1024 * 1024];
        new Random(42).NextBytes(bytes);
        await Store.Create(At("big/source.bin"), bytes, None);
        var source = await Stat("big/source.bin");

        Assert.Equal(CopyOutcome.Copied, await Store.CopyIfAbsent(source.Url, source.Generation, null, At("big/copy.bin"), None));

        Assert.Equal(bytes.LongLength, (await Stat("big/copy.bin")).Size);
        var copied = await Store.Read(At("big/copy.bin"), None);
        Assert.True(bytes.AsSpan().SequenceEqual(copied));
    }

    [Theory]
    [InlineData("proj:p:US/ds.t--1_00001_load--dispatch")]
    [InlineData("with space/and 100% sure")]
    [InlineData("unicodé/日本語 ü.json")]
    [InlineData("odd/a+b=c&d#e?f'g(h)[i]")]
    [InlineData(".dotfile")]
    public async Task UnusualNames_RoundTripThroughEveryOperation(string name)
    {
        var url = At(name);
        var parsed = StorageUrl.Parse(url);

        Assert.Equal(CreateOutcome.Created, await Store.Create(url, "x"u8.ToArray(), None));
        var listed = await Stat(name);
        Assert.Equal(url, listed.Url);
        Assert.Equal(parsed.Name, listed.Name);
        Assert.Equal("x", await ReadText(name));

        var copy = At("copies/" + name);
        Assert.Equal(CopyOutcome.Copied, await Store.CopyIfAbsent(url, listed.Generation, null, copy, None));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Delete(url, listed.Generation, None));
        Assert.Equal("x", await ReadText("copies/" + name));
    }

    [Fact]
    public async Task ObjectUrlEndingWithSlash_IsRejected()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => Create("folder/", "x"));

        Assert.Equal(400, error.Status);
    }
}
