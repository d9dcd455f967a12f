namespace BqDispatch.Emulators.Storage;

/// <summary>Settings of a <see cref="CloudStorageEmulator"/>, fixed at start (except <see cref="CloudStorageEmulator.Latency"/>).</summary>
public sealed class CloudStorageEmulatorOptions
{
    /// <summary>The emulator's "now": timeCreated and updated of writes, and the seed of generation numbers. Default: the system clock.</summary>
    public Func<DateTimeOffset> Clock { get; init; } = () => DateTimeOffset.UtcNow;

    /// <summary>Largest objects.list page (items plus prefixes); a larger or missing maxResults is capped to it. The service caps at 1000.</summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>
    /// Bytes an objects.rewrite copies per call. 0 (default) copies any object in one call, as the service does within
    /// one location and storage class; a positive value makes bigger objects need several rewriteToken rounds.
    /// A request's maxBytesRewrittenPerCall lowers it further.
    /// </summary>
    public long RewriteChunkBytes { get; init; }

    /// <summary>
    /// How long a deleted object stays readable as a soft-deleted generation (objects.list and objects.get with
    /// softDeleted=true), as in a bucket with a soft delete policy. Default 7 days, the service's default for new buckets;
    /// <see cref="TimeSpan.Zero"/> is a bucket without soft delete.
    /// </summary>
    public TimeSpan SoftDeleteRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Delay before every response (initial value of <see cref="CloudStorageEmulator.Latency"/>).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;
}
