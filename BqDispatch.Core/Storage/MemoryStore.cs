using System.Runtime.CompilerServices;

namespace BqDispatch.Core.Storage;

/// <summary>
/// In-process backend for <c>mem://bucket/path</c> URLs with Cloud Storage semantics: buckets must exist,
/// every write makes a new generation (monotonic across the store), listings are one level deep and
/// ordered like Cloud Storage, and every bucket keeps deleted names as soft delete would (for
/// <see cref="Presence"/>). Safe for any number of concurrent callers. It answers any bucket-style URL
/// it is routed, so tests may also register it for <c>gs</c>.
/// Test support: <see cref="Seed"/>, <see cref="Exists"/>, <see cref="CreationCount"/> and the
/// <see cref="BeforeOperation"/>/<see cref="AfterOperation"/> hooks for fault and crash injection.
/// </summary>
public sealed class MemoryStore : IObjectStore, IVersionedReader
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, Entry>> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Bucket, string Path), int> _creations = [];
    private readonly HashSet<(string Bucket, string Path)> _deleted = [];
    private readonly Func<DateTimeOffset> _clock;
    private long _lastGeneration;

    public MemoryStore(Func<DateTimeOffset>? clock = null)
    {
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Called with the operation and its URL (for a copy, the destination) before the operation touches
    /// any state. It may delay (to force interleavings) or throw (to simulate a fault before the call).
    /// </summary>
    public Func<StoreOperation, string, Task>? BeforeOperation { get; set; }

    /// <summary>
    /// Called after the operation has taken effect and before its result is returned. Throwing here
    /// simulates a call that succeeded on the server while its caller saw a failure (a crash or timeout).
    /// </summary>
    public Func<StoreOperation, string, Task>? AfterOperation { get; set; }

    /// <summary>Creates a bucket; returns false when it already existed.</summary>
    public bool CreateBucket(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Bucket name '{name}' must not contain '/'.", nameof(name));
        }

        lock (_gate)
        {
            return _buckets.TryAdd(name, new SortedDictionary<string, Entry>(ObjectNameComparer.Instance));
        }
    }

    /// <summary>
    /// Writes an object directly (creating its bucket if needed), bypassing the hooks; <paramref name="created"/>
    /// sets both its creation and update time (default: the clock). Returns the stored object.
    /// </summary>
    public StoredObject Seed(string url, ReadOnlySpan<byte> content, DateTimeOffset? created = null)
    {
        var target = ObjectUrl(url);
        var bytes = content.ToArray();
        lock (_gate)
        {
            if (!_buckets.ContainsKey(target.Bucket))
            {
                _buckets[target.Bucket] = new SortedDictionary<string, Entry>(ObjectNameComparer.Instance);
            }

            return Write(target, bytes, created ?? _clock()).ToStored(target);
        }
    }

    /// <summary>True when an object exists at <paramref name="url"/>.</summary>
    public bool Exists(string url) => TryGet(url) is not null;

    /// <summary>The current state of the object, or null when absent.</summary>
    public StoredObject? TryGet(string url)
    {
        var target = ObjectUrl(url);
        lock (_gate)
        {
            return _buckets.TryGetValue(target.Bucket, out var objects) && objects.TryGetValue(target.Path, out var entry)
                ? entry.ToStored(target)
                : null;
        }
    }

    /// <summary>
    /// How many times an object came into existence at <paramref name="url"/> over the store's life, by any
    /// write (create, copy, put or seed onto an absent name). Overwrites do not count; deletes do not reset it.
    /// </summary>
    public int CreationCount(string url)
    {
        var target = ObjectUrl(url);
        lock (_gate)
        {
            return _creations.GetValueOrDefault((target.Bucket, target.Path));
        }
    }

    /// <summary>Entries per listing page (the service's default, 1,000); small values let tests see many pages.</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Reads the level under the lock at the first page, then hands it out a page at a time.</summary>
    public async IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var folder = StorageUrl.ParseForStore(folderUrl).AsFolder();
        await Hook(BeforeOperation, StoreOperation.List, folderUrl, cancellation);
        var objects = new List<StoredObject>();
        var folders = new List<string>();
        lock (_gate)
        {
            foreach (var (path, entry) in Bucket(folder))
            {
                // Like Cloud Storage, the range bounds the names below the folder and sub-folders roll up from them.
                if (!path.StartsWith(folder.Path, StringComparison.Ordinal) || !range.Contains(path[folder.Path.Length..]))
                {
                    continue;
                }

                var slash = path.IndexOf('/', folder.Path.Length);
                if (slash < 0)
                {
                    objects.Add(entry.ToStored(folder.Child(path[folder.Path.Length..])));
                }
                else
                {
                    // The names of one sub-folder are neighbours in name order.
                    var child = folder.Child(path[folder.Path.Length..(slash + 1)]).ToString();
                    if (folders.Count == 0 || folders[^1] != child)
                    {
                        folders.Add(child);
                    }
                }
            }
        }

        await Hook(AfterOperation, StoreOperation.List, folderUrl, cancellation);
        foreach (var page in LevelPages.Of(objects, folders, PageSize))
        {
            yield return page;
        }
    }

    public async Task<byte[]> Read(string url, CancellationToken cancellation)
    {
        var found = await ReadVersioned(url, cancellation);
        return found is null ? throw new StorageException(url, 404, "object not found") : found.Content.ToArray();
    }

    public async Task<VersionedObject?> ReadVersioned(string url, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        await Hook(BeforeOperation, StoreOperation.Read, url, cancellation);
        VersionedObject? found;
        lock (_gate)
        {
            found = Bucket(target).TryGetValue(target.Path, out var entry)
                ? new VersionedObject(entry.ToStored(target), entry.Content)
                : null;
        }

        await Hook(AfterOperation, StoreOperation.Read, url, cancellation);
        return found;
    }

    public async Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        var bytes = content.ToArray();
        await Hook(BeforeOperation, StoreOperation.Create, url, cancellation);
        CreateOutcome outcome;
        lock (_gate)
        {
            if (Bucket(target).ContainsKey(target.Path))
            {
                outcome = CreateOutcome.AlreadyExists;
            }
            else
            {
                Write(target, bytes, _clock());
                outcome = CreateOutcome.Created;
            }
        }

        await Hook(AfterOperation, StoreOperation.Create, url, cancellation);
        return outcome;
    }

    public async Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        var bytes = content.ToArray();
        await Hook(BeforeOperation, StoreOperation.Put, url, cancellation);
        lock (_gate)
        {
            _ = Bucket(target);
            Write(target, bytes, _clock());
        }

        await Hook(AfterOperation, StoreOperation.Put, url, cancellation);
    }

    /// <summary>
    /// Copies within this store. Like Cloud Storage, the source is checked first: a missing source or a
    /// different generation is <see cref="CopyOutcome.SourceChanged"/> even when the destination exists.
    /// </summary>
    public async Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation)
    {
        var source = ObjectUrl(sourceUrl);
        var destination = ObjectUrl(destinationUrl);
        await Hook(BeforeOperation, StoreOperation.Copy, destinationUrl, cancellation);
        CopyOutcome outcome;
        lock (_gate)
        {
            var sourceObjects = Bucket(source);
            var destinationObjects = Bucket(destination);
            if (!sourceObjects.TryGetValue(source.Path, out var entry) || entry.Generation != sourceGeneration
                || (sourceMetageneration is { } metageneration && entry.Metageneration != metageneration))
            {
                outcome = CopyOutcome.SourceChanged;
            }
            else if (destinationObjects.ContainsKey(destination.Path))
            {
                outcome = CopyOutcome.DestinationExists;
            }
            else
            {
                Write(destination, entry.Content, _clock());
                outcome = CopyOutcome.Copied;
            }
        }

        await Hook(AfterOperation, StoreOperation.Copy, destinationUrl, cancellation);
        return outcome;
    }

    public async Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        await Hook(BeforeOperation, StoreOperation.Delete, url, cancellation);
        DeleteOutcome outcome;
        lock (_gate)
        {
            var objects = Bucket(target);
            if (!objects.TryGetValue(target.Path, out var entry))
            {
                outcome = DeleteOutcome.Missing;
            }
            else if (entry.Generation != generation)
            {
                outcome = DeleteOutcome.GenerationChanged;
            }
            else
            {
                objects.Remove(target.Path);
                _deleted.Add((target.Bucket, target.Path));
                outcome = DeleteOutcome.Deleted;
            }
        }

        await Hook(AfterOperation, StoreOperation.Delete, url, cancellation);
        return outcome;
    }

    /// <summary>The rule of Cloud Storage, which this store stands in for.</summary>
    public string? NameProblem(string url) => ObjectNameLimits.CloudStorageProblem(ObjectUrl(url).Path);

    public async Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        await Hook(BeforeOperation, StoreOperation.Claim, url, cancellation);
        ClaimResult claim;
        lock (_gate)
        {
            var objects = Bucket(target);
            if (!objects.TryGetValue(target.Path, out var entry) || entry.Generation != generation)
            {
                claim = ClaimResult.Gone;
            }
            else if (metageneration is { } expected && entry.Metageneration != expected)
            {
                claim = ClaimResult.Taken;
            }
            else
            {
                var claimed = entry with { Metageneration = entry.Metageneration + 1, Updated = _clock() };
                objects[target.Path] = claimed;
                claim = new ClaimResult(ClaimOutcome.Claimed, claimed.Metageneration);
            }
        }

        await Hook(AfterOperation, StoreOperation.Claim, url, cancellation);
        return claim;
    }

    public async Task<ObjectPresence> Presence(string url, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        await Hook(BeforeOperation, StoreOperation.Presence, url, cancellation);
        ObjectPresence presence;
        lock (_gate)
        {
            presence = Bucket(target).ContainsKey(target.Path) ? ObjectPresence.Live
                : _deleted.Contains((target.Bucket, target.Path)) ? ObjectPresence.Deleted
                : ObjectPresence.Absent;
        }

        await Hook(AfterOperation, StoreOperation.Presence, url, cancellation);
        return presence;
    }

    private static StorageUrl ObjectUrl(string url)
    {
        var parsed = StorageUrl.ParseForStore(url);
        if (parsed.Scheme == StorageUrl.FileScheme)
        {
            throw new StorageException(url, 400, "the memory store does not serve file URLs");
        }

        return parsed.IsFolder ? throw new StorageException(url, 400, "an object URL must not end with '/'") : parsed;
    }

    private static async Task Hook(Func<StoreOperation, string, Task>? hook, StoreOperation operation, string url, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        if (hook is not null)
        {
            await hook(operation, url);
        }
    }

    // Callers hold _gate.
    private SortedDictionary<string, Entry> Bucket(StorageUrl url) =>
        _buckets.TryGetValue(url.Bucket, out var objects)
            ? objects
            : throw new StorageException(url.ToString(), 404, $"bucket not found: {url.Bucket}");

    // Callers hold _gate; content is never mutated after it is stored.
    private Entry Write(StorageUrl target, byte[] content, DateTimeOffset now)
    {
        var objects = _buckets[target.Bucket];
        if (!objects.ContainsKey(target.Path))
        {
            var key = (target.Bucket, target.Path);
            _creations[key] = _creations.GetValueOrDefault(key) + 1;
        }

        // As in Cloud Storage, an overwrite is a new object generation with its own creation time.
        return objects[target.Path] = new Entry(content, ++_lastGeneration, now, now, Metageneration: 1);
    }

    private sealed record Entry(byte[] Content, long Generation, DateTimeOffset Created, DateTimeOffset Updated, long Metageneration)
    {
        public StoredObject ToStored(StorageUrl url) =>
            new(url.ToString(), url.Name, Generation, Content.LongLength, Created, Updated, Metageneration);
    }
}
