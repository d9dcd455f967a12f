namespace BqDispatch.Emulators.Storage;

/// <summary>Route names of the Cloud Storage emulator, as used by fault injection, the request log and the counters.</summary>
public static class StorageRoutes
{
    /// <summary>GET storage/v1/b/{b}/o (objects.list).</summary>
    public const string List = "list";

    /// <summary>GET storage/v1/b/{b}/o/{o} (objects.get, metadata).</summary>
    public const string Get = "get";

    /// <summary>GET storage/v1/b/{b}/o/{o}?alt=media, or download/storage/v1/… (objects.get, content).</summary>
    public const string Media = "media";

    /// <summary>POST upload/storage/v1/b/{b}/o (objects.insert, uploadType media or multipart).</summary>
    public const string Upload = "upload";

    /// <summary>PATCH storage/v1/b/{b}/o/{o} (objects.patch: custom metadata, a new metageneration).</summary>
    public const string Patch = "patch";

    /// <summary>POST storage/v1/b/{b}/o/{o}/rewriteTo/b/{b2}/o/{o2} (objects.rewrite).</summary>
    public const string Rewrite = "rewrite";

    /// <summary>DELETE storage/v1/b/{b}/o/{o} (objects.delete).</summary>
    public const string Delete = "delete";

    /// <summary>Anything else, answered 404 notFound (e.g. an object path with a raw '/') or 405.</summary>
    public const string Other = "other";

    /// <summary>The routes faults can be injected on.</summary>
    public static IReadOnlyList<string> All { get; } = [List, Get, Media, Upload, Patch, Rewrite, Delete];

    internal static string Validate(string route) =>
        All.Contains(route)
            ? route
            : throw new ArgumentException($"Unknown route '{route}'; use one of {string.Join(", ", All)}.", nameof(route));
}

/// <summary>One request the emulator answered.</summary>
/// <param name="Route"><see cref="StorageRoutes"/> name.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Bucket">Decoded bucket from the path (for a rewrite, the source bucket), when the path had one.</param>
/// <param name="Name">Decoded object name from the path or the upload's name (for a rewrite, the source).</param>
/// <param name="Path">The raw (still percent-encoded) path.</param>
/// <param name="QueryString">The raw query string, with its leading '?' (empty when none).</param>
/// <param name="Status">HTTP status sent; 0 when the connection was dropped.</param>
public sealed record StorageEmulatorRequest(string Route, string Method, string? Bucket, string? Name, string Path, string QueryString, int Status);

/// <summary>An object as the emulator holds it; <see cref="SoftDeleted"/> is set on a soft-deleted generation.</summary>
public sealed record EmulatedObject(
    string Bucket,
    string Name,
    long Generation,
    long Metageneration,
    long Size,
    string ContentType,
    string Md5Hash,
    string Crc32c,
    DateTimeOffset Created,
    DateTimeOffset Updated)
{
    /// <summary>softDeleteTime: when the object was deleted (null while it is live).</summary>
    public DateTimeOffset? SoftDeleted { get; init; }

    /// <summary>hardDeleteTime: when a soft-deleted object is gone for good.</summary>
    public DateTimeOffset? HardDeleted { get; init; }

    /// <summary>Custom metadata (objects.patch sets it; a rewrite copies it); null when there is none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
