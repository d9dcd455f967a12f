namespace BqDispatch.Core.Storage;

/// <summary>
/// Optional backend capability: read an object together with the generation those bytes belong to.
/// <see cref="StorageRouter"/> uses it to copy between backends with the source-generation precondition.
/// </summary>
public interface IVersionedReader
{
    /// <summary>The object and its content, or null when it does not exist.</summary>
    Task<VersionedObject?> ReadVersioned(string url, CancellationToken cancellation);
}

/// <summary>One generation of an object and its bytes.</summary>
public sealed record VersionedObject(StoredObject Info, ReadOnlyMemory<byte> Content);
