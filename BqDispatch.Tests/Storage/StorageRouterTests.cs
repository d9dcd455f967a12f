using BqDispatch.Core.Storage;
using NSubstitute;
using Xunit;

namespace BqDispatch.Tests.Storage;

public sealed class StorageRouterTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly TempDirectory _directory = new();
    private readonly MemoryStore _memory = new();
    private readonly StorageRouter _router;

    public StorageRouterTests()
    {
        _memory.CreateBucket("b");
        _router = new StorageRouter(_memory, new FileStore(_directory.Path));
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task DispatchesByScheme()
    {
        await _router.Create("mem://b/x", "m"u8.ToArray(), None);
        await _router.Create(_directory.Url + "x", "f"u8.ToArray(), None);

        Assert.True(_memory.Exists("mem://b/x"));
        Assert.Equal("f", await File.ReadAllTextAsync(Path.Combine(_directory.Path, "x")));
        Assert.Equal("m"u8.ToArray(), await _router.Read("mem://b/x", None));
        Assert.Single((await _router.List(_directory.Url, None)).Objects);
    }

    [Theory]
    [InlineData("gs://bucket/x", "scheme 'gs'")]
    [InlineData("s3://bucket/x", "scheme 's3'")]
    [InlineData("bucket/x", "without a scheme")]
    public async Task UnknownScheme_Throws400_NamingTheUrlAndTheSupportedSchemes(string url, string expected)
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => _router.Read(url, None));

        Assert.Equal(400, error.Status);
        Assert.Equal(url, error.Url);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("file, mem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisteredBackend_ServesItsScheme()
    {
        var gs = new MemoryStore();
        gs.CreateBucket("cloud");
        _router.Register("gs", gs);

        await _router.Create("gs://cloud/a", "x"u8.ToArray(), None);

        Assert.True(gs.Exists("gs://cloud/a"));
        Assert.Equal(["file", "gs", "mem"], _router.Schemes);
    }

    [Fact]
    public async Task CopyAcrossBackends_MemoryToFile()
    {
        var source = _memory.Seed("mem://b/in/trace", "payload"u8);
        var destination = _directory.Url + "out/trace";

        Assert.Equal(CopyOutcome.Copied, await _router.CopyIfAbsent(source.Url, source.Generation, null, destination, None));
        Assert.Equal(CopyOutcome.DestinationExists, await _router.CopyIfAbsent(source.Url, source.Generation, null, destination, None));
        Assert.Equal(CopyOutcome.SourceChanged, await _router.CopyIfAbsent(source.Url, source.Generation + 1, null, _directory.Url + "out/other", None));
        Assert.Equal(CopyOutcome.SourceChanged, await _router.CopyIfAbsent("mem://b/in/gone", 1, null, _directory.Url + "out/other", None));

        Assert.Equal("payload", await File.ReadAllTextAsync(Path.Combine(_directory.Path, "out", "trace")));
        Assert.False(File.Exists(Path.Combine(_directory.Path, "out", "other")));
    }

    [Fact]
    public async Task CopyAcrossBackends_FileToMemory()
    {
        var sourceUrl = _directory.Url + "in/trace";
        await _router.Create(sourceUrl, "payload"u8.ToArray(), None);
        var source = Assert.Single((await _router.List(_directory.Url + "in/", None)).Objects);

        Assert.Equal(CopyOutcome.Copied, await _router.CopyIfAbsent(sourceUrl, source.Generation, null, "mem://b/out/trace", None));

        Assert.Equal("payload"u8.ToArray(), await _memory.Read("mem://b/out/trace", None));
        Assert.Equal(1, _memory.CreationCount("mem://b/out/trace"));
    }

    [Fact]
    public async Task CopyWithinOneBackend_UsesThatBackendsCopy()
    {
        var source = _memory.Seed("mem://b/in/trace", "payload"u8);
        var seen = new List<StoreOperation>();
        _memory.BeforeOperation = (operation, _) =>
        {
            seen.Add(operation);
            return Task.CompletedTask;
        };

        Assert.Equal(CopyOutcome.Copied, await _router.CopyIfAbsent(source.Url, source.Generation, null, "mem://b/out/trace", None));

        Assert.Equal([StoreOperation.Copy], seen);
    }

    [Fact]
    public async Task CopyFromABackendWithoutVersionedReads_ChecksTheGenerationByListing()
    {
        var stat = new StoredObject("gs://b/in/t", "t", 7, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var plain = Substitute.For<IObjectStore>();
        plain.ListPages("gs://b/in/", NameRange.All, Arg.Any<CancellationToken>()).Returns(_ => new[] { new Listing([stat], []) }.ToAsyncEnumerable());
        plain.Read("gs://b/in/t", Arg.Any<CancellationToken>()).Returns("t"u8.ToArray());
        _router.Register("gs", plain);

        Assert.Equal(CopyOutcome.SourceChanged, await _router.CopyIfAbsent("gs://b/in/t", 6, null, "mem://b/out/t", None));
        Assert.Equal(CopyOutcome.Copied, await _router.CopyIfAbsent("gs://b/in/t", 7, null, "mem://b/out/t", None));

        Assert.Equal("t"u8.ToArray(), await _memory.Read("mem://b/out/t", None));
    }
}
