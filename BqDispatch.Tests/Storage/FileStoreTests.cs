using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Storage;

public sealed class FileStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly TempDirectory _directory = new();
    private readonly FileStore _store;

    public FileStoreTests()
    {
        _store = new FileStore(_directory.Path);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Generation_IsTheLastWriteTimeInUtcTicks()
    {
        var url = _directory.Url + "a/b/obj";
        await _store.Create(url, "x"u8.ToArray(), None);

        var listed = Assert.Single((await _store.List(_directory.Url + "a/b/", None)).Objects);

        var path = Path.Combine(_directory.Path, "a", "b", "obj");
        Assert.Equal(File.GetLastWriteTimeUtc(path).Ticks, listed.Generation);
        Assert.Equal(listed.Updated, listed.Created);
        Assert.Equal(listed.Generation, listed.Updated.UtcTicks);
    }

    [Fact]
    public async Task Clock_SetsTheWriteTime_AndRewritesStillGetNewGenerations()
    {
        var now = new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var store = new FileStore(_directory.Path, () => now);
        var url = _directory.Url + "j";

        await store.Put(url, "1"u8.ToArray(), None);
        var first = Assert.Single((await store.List(_directory.Url, None)).Objects);
        await store.Put(url, "2"u8.ToArray(), None);
        var second = Assert.Single((await store.List(_directory.Url, None)).Objects);

        Assert.True(first.Updated >= now);
        Assert.True(second.Generation > first.Generation);
    }

    [Fact]
    public async Task TempFiles_AndEmptyDirectories_AreHidden()
    {
        Directory.CreateDirectory(Path.Combine(_directory.Path, "empty", "deeper"));
        Directory.CreateDirectory(Path.Combine(_directory.Path, "pending"));
        await File.WriteAllTextAsync(Path.Combine(_directory.Path, ".bqdispatch-tmp-123"), "partial");
        await File.WriteAllTextAsync(Path.Combine(_directory.Path, "pending", ".bqdispatch-tmp-456"), "partial");
        await File.WriteAllTextAsync(Path.Combine(_directory.Path, "visible"), "v");

        var listing = await _store.List(_directory.Url, None);

        Assert.Equal(["visible"], listing.Objects.Select(o => o.Name));
        Assert.Empty(listing.Folders);
    }

    [Fact]
    public async Task ReservedTempNames_CannotBeWritten()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => _store.Create(_directory.Url + ".bqdispatch-tmp-x", "x"u8.ToArray(), None));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Writes_LeaveNoTempFilesBehind()
    {
        var url = _directory.Url + "w/obj";
        await _store.Create(url, "x"u8.ToArray(), None);
        await _store.Create(url, "y"u8.ToArray(), None);
        await _store.Put(url, "z"u8.ToArray(), None);
        var obj = Assert.Single((await _store.List(_directory.Url + "w/", None)).Objects);
        await _store.CopyIfAbsent(url, obj.Generation, null, _directory.Url + "w/copy", None);
        await _store.CopyIfAbsent(url, obj.Generation, null, _directory.Url + "w/copy", None);
        await _store.Delete(url, obj.Generation - 1, None);

        Assert.Equal(["copy", "obj"], Directory.GetFiles(Path.Combine(_directory.Path, "w")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MissingRoot_Throws404()
    {
        var missing = Path.Combine(_directory.Path, "no-such-root");
        var store = new FileStore(missing);

        var list = await Assert.ThrowsAsync<StorageException>(() => store.List("file://" + missing + "/", None));
        var create = await Assert.ThrowsAsync<StorageException>(() => store.Create("file://" + missing + "/x", "x"u8.ToArray(), None));

        Assert.Equal(404, list.Status);
        Assert.Equal(404, create.Status);
        Assert.Contains("root directory not found", list.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("gs://bucket/x")]
    public async Task UrlsOutsideTheRootOrOfAnotherScheme_Throw400(string url)
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => _store.Read(url, None));

        Assert.Equal(400, error.Status);
        Assert.Equal(url, error.Url);
    }

    [Fact]
    public async Task DotDotSegments_AreRejected()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => _store.Read(_directory.Url + "a/../../x", None));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task AFileWhereAFolderIsNeeded_Throws409()
    {
        await _store.Create(_directory.Url + "a", "x"u8.ToArray(), None);

        var error = await Assert.ThrowsAsync<StorageException>(() => _store.Create(_directory.Url + "a/b", "y"u8.ToArray(), None));

        Assert.Equal(409, error.Status);
    }

    [Fact]
    public async Task ObjectsWrittenByOtherProgramsAreListed_WithTheirWriteTimeAsGeneration()
    {
        var path = Path.Combine(_directory.Path, "external.json");
        await File.WriteAllTextAsync(path, "{}");

        var listed = Assert.Single((await _store.List(_directory.Url, None)).Objects);

        Assert.Equal(File.GetLastWriteTimeUtc(path).Ticks, listed.Generation);
        Assert.Equal(DeleteOutcome.Deleted, await _store.Delete(listed.Url, listed.Generation, None));
        Assert.False(File.Exists(path));
    }
}
