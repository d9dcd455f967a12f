using Microsoft.AspNetCore.Builder;

namespace BqDispatch.Emulators.Storage;

/// <summary>
/// An in-process fake of the Cloud Storage JSON API v1 subset the dispatcher uses, served over HTTP on 127.0.0.1 with a
/// random port: objects.list (prefix, delimiter → prefixes, startOffset inclusive and endOffset exclusive, maxResults
/// capped, opaque pageToken, UTF-8 name order; a page seeks to its cursor, so it costs the same early or late),
/// objects.get (metadata; alt=media with X-Goog-* headers; generation, ifGenerationMatch, ifGenerationNotMatch),
/// objects.insert (uploadType media and multipart; ifGenerationMatch/NotMatch), objects.patch (custom metadata, a new
/// metageneration; ifGenerationMatch, ifMetagenerationMatch), objects.rewrite (destination and source generation and
/// metageneration preconditions, sourceGeneration, custom metadata copied, rewriteToken rounds via
/// maxBytesRewrittenPerCall or <see cref="CloudStorageEmulatorOptions.RewriteChunkBytes"/>) and objects.delete
/// (generation, ifGenerationMatch),
/// with generations, metageneration, size, md5Hash, crc32c (a table-driven CRC-32C), int64 values as strings and the
/// Google error envelope. Object names must be one percent-encoded path segment: a raw '/' after <c>/o/</c> is 404.
/// Soft delete: deleted objects are kept for <see cref="CloudStorageEmulatorOptions.SoftDeleteRetention"/> with
/// softDeleteTime and hardDeleteTime, listed by objects.list with softDeleted=true (one item per generation; no delimiter)
/// and read by objects.get with softDeleted=true and their generation. Responses honour the fields mask.
/// Not emulated: versioning (only live and soft-deleted generations), restore, updates of other fields, ACLs, resumable
/// uploads, user metadata, matchGlob, the 1 write/s per object limit.
/// </summary>
public sealed class CloudStorageEmulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ObjectTable table;
    private readonly StorageFaultPlan faults;
    private readonly StorageRequestLog log;
    private long latencyTicks;

    private CloudStorageEmulator(
        WebApplication app, ObjectTable table, StorageFaultPlan faults, StorageRequestLog log, CloudStorageEmulatorOptions options, Uri root)
    {
        this.app = app;
        this.table = table;
        this.faults = faults;
        this.log = log;
        Options = options;
        BaseUrl = root;
        HostAndPort = root.Authority;
        Latency = options.Latency;
    }

    /// <summary>Root of the service, e.g. http://127.0.0.1:41234/ (storage/v1/ and upload/storage/v1/ live below it).</summary>
    public Uri BaseUrl { get; }

    /// <summary>"127.0.0.1:port", the value for STORAGE_EMULATOR_HOST.</summary>
    public string HostAndPort { get; }

    public CloudStorageEmulatorOptions Options { get; }

    /// <summary>Delay before every response; may be changed while running.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref latencyTicks));
        set => Interlocked.Exchange(ref latencyTicks, value.Ticks);
    }

    /// <summary>
    /// Runs on the request's thread after a request was handled (its change applied) and before it is answered (or its
    /// connection dropped after commit), with the status it gets: a consumer deleting an object between a call and the
    /// caller's next one, deterministically. Requests dropped before handling do not call it.
    /// </summary>
    public Action<StorageEmulatorRequest>? BeforeAnswer { get; set; }

    /// <summary>Every request answered so far (including injected failures and dropped connections), oldest first.</summary>
    public IReadOnlyList<StorageEmulatorRequest> Requests => log.Snapshot();

    public static async Task<CloudStorageEmulator> StartAsync(CloudStorageEmulatorOptions? options = null)
    {
        options ??= new CloudStorageEmulatorOptions();
        ArgumentNullException.ThrowIfNull(options.Clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.RewriteChunkBytes);

        var table = new ObjectTable(options.Clock, options.SoftDeleteRetention);
        var faults = new StorageFaultPlan();
        var log = new StorageRequestLog();
        CloudStorageEmulator? emulator = null;
        var handlers = new StorageHandlers(table, faults, log, options, () => emulator?.Latency ?? options.Latency, () => emulator?.BeforeAnswer);
        var (app, root) = await LoopbackServer.Start(handlers.Handle, 64 * 1024 * 1024);
        emulator = new CloudStorageEmulator(app, table, faults, log, options, root);
        return emulator;
    }

    /// <summary>Creates a bucket; false when it already existed. Requests for unknown buckets get 404 notFound.</summary>
    public bool CreateBucket(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Bucket name '{name}' must not contain '/'.", nameof(name));
        }

        return table.CreateBucket(name);
    }

    /// <summary>Writes an object directly (creating the bucket if needed, bypassing faults); <paramref name="created"/> sets timeCreated and updated.</summary>
    public EmulatedObject Seed(string bucket, string name, ReadOnlySpan<byte> content, DateTimeOffset? created = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return table.Seed(bucket, name, content.ToArray(), created);
    }

    /// <summary>
    /// Deletes the live object directly (bypassing faults), as a consumer such as BqTail would; it becomes a soft-deleted
    /// generation when the retention allows. False when there was no live object.
    /// </summary>
    public bool Delete(string bucket, string name)
    {
        try
        {
            table.Delete(bucket, name, null, default);
            return true;
        }
        catch (StorageError e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>True when the object exists.</summary>
    public bool Exists(string bucket, string name) => Find(bucket, name) is not null;

    /// <summary>The object's metadata, or null when absent.</summary>
    public EmulatedObject? Find(string bucket, string name) => table.TryFind(bucket, name)?.Info;

    /// <summary>Every object of the bucket, in name order (empty for an unknown bucket).</summary>
    public IReadOnlyList<EmulatedObject> Objects(string bucket) => table.Snapshot(bucket);

    /// <summary>The object's content, or null when absent.</summary>
    public byte[]? Read(string bucket, string name) => table.TryFind(bucket, name)?.Content.ToArray();

    /// <summary>
    /// How many times an object came into existence at that name (by upload, rewrite or seed onto an absent name).
    /// Overwrites do not count; deletes do not reset it.
    /// </summary>
    public int CreationCount(string bucket, string name) => table.CreationCount(bucket, name);

    /// <summary>Names objects.list has read from its buckets since the start: the work its pages cost, whatever their latency.</summary>
    public long ListEntriesRead => table.ListEntriesRead;

    /// <summary>Requests received on <paramref name="route"/> (a <see cref="StorageRoutes"/> name), faults included.</summary>
    public int Calls(string route) => log.Calls(route);

    /// <summary>Answers the next <paramref name="count"/> requests of <paramref name="route"/> with a Google JSON error.</summary>
    public void FailNext(string route, int status, string reason, int count = 1, string? message = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var body = StorageJson.Error(status, reason, message ?? $"Injected failure: {reason}");
        faults.Enqueue(StorageRoutes.Validate(route), new StorageFault(FaultKind.Fail, status, body), count);
    }

    /// <summary>Aborts the connection of the next <paramref name="count"/> requests of <paramref name="route"/> before handling them.</summary>
    public void DropNext(string route, int count = 1) =>
        faults.Enqueue(StorageRoutes.Validate(route), new StorageFault(FaultKind.Drop, 0, []), count);

    /// <summary>
    /// Handles the next <paramref name="count"/> requests of <paramref name="route"/> (their change is applied), then aborts
    /// the connection instead of answering: the caller cannot tell whether the call landed.
    /// </summary>
    public void DropAfterCommit(string route, int count = 1) =>
        faults.Enqueue(StorageRoutes.Validate(route), new StorageFault(FaultKind.DropAfterCommit, 0, []), count);

    /// <summary>
    /// From now on answers a random share <paramref name="rate"/> (0–1) of <paramref name="route"/>'s requests with
    /// <paramref name="status"/> and its usual reason (429 rateLimitExceeded, 503 backendError, …), drawn from a
    /// <see cref="Random"/> seeded with <paramref name="seed"/>. Scripted faults go first. A rate of 0 ends the storm.
    /// </summary>
    public void ErrorRate(string route, double rate, int status = 503, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        faults.SetRate(StorageRoutes.Validate(route), rate, status, seed);
    }

    /// <summary>
    /// From now on handles a random share <paramref name="rate"/> (0–1) of <paramref name="route"/>'s requests and then drops
    /// the connection instead of answering (<see cref="DropAfterCommit"/>), drawn from a <see cref="Random"/> seeded with
    /// <paramref name="seed"/>. Scripted faults and <see cref="ErrorRate"/> go first. A rate of 0 ends it.
    /// </summary>
    public void DropAfterCommitRate(string route, double rate, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        faults.SetDropAfterCommitRate(StorageRoutes.Validate(route), rate, seed);
    }

    /// <summary>Forgets injected failures that have not fired yet and ends error and drop storms.</summary>
    public void ClearFaults() => faults.Clear();

    /// <summary>Clears <see cref="Requests"/> and the per-route counters.</summary>
    public void ResetCounters() => log.Reset();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
