using BqDispatch.Core.Storage;
using BqDispatch.Core.Storage.Gcs;
using Xunit;

namespace BqDispatch.Tests.Storage;

/// <summary>Each store says which names it can hold: 255 bytes a name on file://, 1,024 bytes an object name on gs:// and mem://.</summary>
public sealed class ObjectNameLimitTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task A_file_store_holds_255_bytes_a_name_and_says_so_plainly_beyond()
    {
        var store = new FileStore(directory.Path);
        var fits = directory.Url + "d/" + new string('a', 255);
        var tooLong = directory.Url + "d/" + new string('é', 128);

        await store.Create(fits, "x"u8.ToArray(), CancellationToken.None);
        var error = await Assert.ThrowsAsync<StorageException>(() => store.Create(tooLong, "x"u8.ToArray(), CancellationToken.None));

        Assert.Null(store.NameProblem(fits));
        Assert.Equal("a file:// store holds names of at most 255 bytes; 'éééééééééééééééééééééééééééééééééééééééé…' has 256", store.NameProblem(tooLong));
        Assert.Equal(400, error.Status);
        Assert.EndsWith(store.NameProblem(tooLong)!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cloud_storage_and_memory_hold_1024_bytes_an_object_name()
    {
        using var http = new HttpClient();
        var stores = new IObjectStore[] { new GcsStore(http), new MemoryStore() };
        var prefix = "folder/";

        foreach (var store in stores)
        {
            var scheme = store is GcsStore ? "gs" : "mem";
            Assert.Null(store.NameProblem($"{scheme}://b/{prefix}{new string('a', 1024 - prefix.Length)}"));
            Assert.Equal(
                "Cloud Storage object names hold at most 1,024 bytes; this one has 1,025",
                store.NameProblem($"{scheme}://b/{prefix}{new string('a', 1025 - prefix.Length)}"));
        }
    }
}
