using System.Runtime.CompilerServices;
using BqDispatch.Core.Storage;

namespace BqDispatch.Tests.Support;

/// <summary>
/// The storage a dispatcher under test talks to, whatever the backend: its client goes through fault hooks
/// (crashes, delays, failures at any operation), while seeding and inspection go straight to the backend.
/// </summary>
public abstract class TestStorage : IObjectStore, IAsyncDisposable
{
    /// <summary>Runs before each operation of the dispatcher's client; may delay or throw.</summary>
    public Func<StoreOperation, string, Task>? BeforeOperation { get; set; }

    /// <summary>Runs after each operation took effect; throwing here means "done, but the caller never heard".</summary>
    public Func<StoreOperation, string, Task>? AfterOperation { get; set; }

    public abstract string Scheme { get; }

    /// <summary>The client the dispatcher would use against this backend.</summary>
    protected abstract IObjectStore Client { get; }

    public abstract void CreateBucket(string name);

    public abstract StoredObject Seed(string url, ReadOnlySpan<byte> content, DateTimeOffset created);

    public abstract bool Exists(string url);

    /// <summary>How many times an object appeared at this URL where none existed.</summary>
    public abstract int CreationCount(string url);

    /// <summary>Deletes the object as its consumer (BqTail) would, bypassing the hooks; false when there was none.</summary>
    public abstract bool Remove(string url);

    public async IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, [EnumeratorCancellation] CancellationToken cancellation)
    {
        if (BeforeOperation is { } before)
        {
            await before(StoreOperation.List, folderUrl);
        }

        await foreach (var page in Client.ListPages(folderUrl, range, cancellation))
        {
            yield return page;
        }

        if (AfterOperation is { } after)
        {
            await after(StoreOperation.List, folderUrl);
        }
    }

    public Task<byte[]> Read(string url, CancellationToken cancellation) =>
        Hooked(StoreOperation.Read, url, () => Client.Read(url, cancellation));

    public Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) =>
        Hooked(StoreOperation.Create, url, () => Client.Create(url, content, cancellation));

    public Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) =>
        Hooked(StoreOperation.Put, url, async () =>
        {
            await Client.Put(url, content, cancellation);
            return true;
        });

    public Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation) =>
        Hooked(StoreOperation.Copy, destinationUrl, () => Client.CopyIfAbsent(sourceUrl, sourceGeneration, sourceMetageneration, destinationUrl, cancellation));

    public Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation) =>
        Hooked(StoreOperation.Delete, url, () => Client.Delete(url, generation, cancellation));

    public string? NameProblem(string url) => Client.NameProblem(url);

    public Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation) =>
        Hooked(StoreOperation.Claim, url, () => Client.Claim(url, generation, metageneration, cancellation));

    public Task<ObjectPresence> Presence(string url, CancellationToken cancellation) =>
        Hooked(StoreOperation.Presence, url, () => Client.Presence(url, cancellation));

    public abstract ValueTask DisposeAsync();

    private async Task<T> Hooked<T>(StoreOperation operation, string url, Func<Task<T>> call)
    {
        if (BeforeOperation is { } before)
        {
            await before(operation, url);
        }

        var result = await call();
        if (AfterOperation is { } after)
        {
            await after(operation, url);
        }

        return result;
    }
}

/// <summary>The in-process mem:// backend.</summary>
public sealed class MemoryTestStorage(Func<DateTimeOffset> clock) : TestStorage
{
    private readonly MemoryStore store = new(clock);

    public override string Scheme => StorageUrl.MemScheme;

    protected override IObjectStore Client => store;

    public override void CreateBucket(string name) => store.CreateBucket(name);

    public override StoredObject Seed(string url, ReadOnlySpan<byte> content, DateTimeOffset created) => store.Seed(url, content, created);

    public override bool Exists(string url) => store.Exists(url);

    public override int CreationCount(string url) => store.CreationCount(url);

    public override bool Remove(string url) =>
        store.TryGet(url) is { } found
        && store.Delete(url, found.Generation, CancellationToken.None).GetAwaiter().GetResult() == DeleteOutcome.Deleted;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
