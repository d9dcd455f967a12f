namespace BqDispatch.Core.Storage;

/// <summary>
/// The storage operations the dispatcher needs, with Cloud Storage semantics on every backend:
/// each object has a generation number, and conditional writes and deletes report precondition
/// failures as outcomes instead of exceptions. Anything else that goes wrong (permission, transport,
/// a missing bucket) throws <see cref="StorageException"/>.
/// URLs are <c>gs://bucket/path</c>, <c>file:///abs/path</c> or <c>mem://bucket/path</c>.
/// </summary>
public interface IObjectStore
{
    /// <summary>
    /// Lists one level below <paramref name="folderUrl"/> (which ends with '/') a page at a time, each page in name order:
    /// the objects whose name is in <paramref name="range"/> and the sub-folders holding names in it. The next page is
    /// read only when the caller asks for it. Ranges that partition the names list every object exactly once and every
    /// sub-folder at least once (Cloud Storage reports a sub-folder in each range that holds one of its names).
    /// <see cref="ObjectStoreListing.List"/> reads a whole level at once.
    /// </summary>
    IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, CancellationToken cancellation);

    /// <summary>Reads the whole object. Throws <see cref="StorageException"/> with status 404 when absent.</summary>
    Task<byte[]> Read(string url, CancellationToken cancellation);

    /// <summary>Creates the object only if no object has that name (ifGenerationMatch=0).</summary>
    Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation);

    /// <summary>Writes the object whether or not it exists (used only for journal files such as performance.json).</summary>
    Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation);

    /// <summary>
    /// Copies generation <paramref name="sourceGeneration"/> of the source (and, when given, only while it still has
    /// <paramref name="sourceMetageneration"/>: a claim made since fails the copy) to a destination that must not exist yet
    /// (ifSourceGenerationMatch, ifSourceMetagenerationMatch, ifGenerationMatch=0). Bytes are copied unchanged.
    /// </summary>
    Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation);

    /// <summary>
    /// Claims the object before acting on it: a metadata update that changes only its metageneration (and update time),
    /// made only while it still has <paramref name="generation"/> and, when given, <paramref name="metageneration"/> (null
    /// takes over whatever claim there is). A copy pinned to the new metageneration fails once anyone claims again, so of
    /// two claimants only one can copy.
    /// </summary>
    Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation);

    /// <summary>Deletes the object only if its generation is still <paramref name="generation"/>.</summary>
    Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation);

    /// <summary>
    /// Why this store cannot hold an object at <paramref name="url"/> (a name too long for it, see
    /// <see cref="ObjectNameLimits"/>), or null when it can. Makes no call.
    /// </summary>
    string? NameProblem(string url);

    /// <summary>
    /// Whether an object exists at <paramref name="url"/>, or existed and was deleted while its bucket keeps deleted objects
    /// (Cloud Storage soft delete). This tells "never written" from "written and consumed since", where the backend can.
    /// </summary>
    Task<ObjectPresence> Presence(string url, CancellationToken cancellation);
}

/// <summary>
/// One stored object as a listing sees it. <see cref="Name"/> is the last path segment. <see cref="Metageneration"/> counts
/// metadata updates of the generation (1 until it is claimed).
/// </summary>
public sealed record StoredObject(
    string Url, string Name, long Generation, long Size, DateTimeOffset Created, DateTimeOffset Updated, long Metageneration = 1);

/// <summary>One level of a folder, or one page of it: its objects and the URLs (ending with '/') of its sub-folders.</summary>
public sealed record Listing(IReadOnlyList<StoredObject> Objects, IReadOnlyList<string> Folders);

/// <summary>Result of a create-only write.</summary>
public enum CreateOutcome
{
    /// <summary>This call created the object.</summary>
    Created,

    /// <summary>An object of that name already existed; nothing was written (412 conditionNotMet).</summary>
    AlreadyExists,
}

/// <summary>Result of a copy to an absent destination.</summary>
public enum CopyOutcome
{
    /// <summary>This call created the destination.</summary>
    Copied,

    /// <summary>The destination already existed; nothing was written.</summary>
    DestinationExists,

    /// <summary>The source is gone or no longer has the expected generation; nothing was written.</summary>
    SourceChanged,
}

/// <summary>Result of a claim: the object's new metageneration when it was claimed.</summary>
public sealed record ClaimResult(ClaimOutcome Outcome, long Metageneration = 0)
{
    public static readonly ClaimResult Gone = new(ClaimOutcome.Gone);

    public static readonly ClaimResult Taken = new(ClaimOutcome.Taken);
}

public enum ClaimOutcome
{
    /// <summary>This call claimed the object.</summary>
    Claimed,

    /// <summary>The object is gone or is another generation now.</summary>
    Gone,

    /// <summary>The object was claimed by someone else since it was listed.</summary>
    Taken,
}

/// <summary>Result of a generation-conditional delete.</summary>
public enum DeleteOutcome
{
    /// <summary>This call deleted the object.</summary>
    Deleted,

    /// <summary>There was no object to delete.</summary>
    Missing,

    /// <summary>The object exists with another generation; it was left alone.</summary>
    GenerationChanged,
}

/// <summary>What a name holds: a live object, only deleted ones still retained, or nothing known.</summary>
public enum ObjectPresence
{
    /// <summary>No live object, and no deleted one retained (never written, or the backend keeps no deleted objects).</summary>
    Absent,

    /// <summary>A live object.</summary>
    Live,

    /// <summary>No live object, but a deleted one is retained (soft delete): something was written there and removed.</summary>
    Deleted,
}
