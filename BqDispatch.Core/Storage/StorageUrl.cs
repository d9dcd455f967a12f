using System.Diagnostics.CodeAnalysis;

namespace BqDispatch.Core.Storage;

/// <summary>
/// A storage location: <c>gs://bucket/path</c>, <c>mem://bucket/path</c> or <c>file:///abs/path</c>.
/// The path is taken literally (no percent-decoding): object names may hold spaces, colons, '%' and any
/// Unicode, exactly as Cloud Storage names do. A path that is empty or ends with '/' denotes a folder.
/// For <c>file</c> URLs <see cref="Bucket"/> is empty and <see cref="Path"/> is the absolute path without
/// its leading '/', so every URL is <c>{Scheme}://{Bucket}/{Path}</c>.
/// </summary>
public sealed record StorageUrl
{
    public const string GsScheme = "gs";
    public const string MemScheme = "mem";
    public const string FileScheme = "file";

    private const string Separator = "://";

    private StorageUrl(string scheme, string bucket, string path)
    {
        Scheme = scheme;
        Bucket = bucket;
        Path = path;
    }

    /// <summary>The schemes <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> SupportedSchemes { get; } = [GsScheme, MemScheme, FileScheme];

    /// <summary>Lower-case scheme: gs, mem or file.</summary>
    public string Scheme { get; }

    /// <summary>Bucket name; empty for file URLs.</summary>
    public string Bucket { get; }

    /// <summary>Object name or folder prefix inside the bucket (no leading '/'); empty for the bucket root.</summary>
    public string Path { get; }

    /// <summary>True when the URL denotes a folder (empty path or trailing '/').</summary>
    public bool IsFolder => Path.Length == 0 || Path[^1] == '/';

    /// <summary>The last path segment of an object URL; empty for a folder.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>The folder holding this object (a folder URL returns itself).</summary>
    public StorageUrl Folder => new(Scheme, Bucket, Path[..(Path.LastIndexOf('/') + 1)]);

    /// <summary>The local absolute path of a file URL.</summary>
    public string LocalPath => Scheme == FileScheme
        ? "/" + Path
        : throw new InvalidOperationException($"{this} is not a file URL.");

    /// <summary>Parses a URL; throws <see cref="ArgumentException"/> naming the URL when it is malformed or its scheme unsupported.</summary>
    public static StorageUrl Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return TryParse(url, out var parsed, out var error) ? parsed : throw new ArgumentException(error, nameof(url));
    }

    public static bool TryParse(string? url, [NotNullWhen(true)] out StorageUrl? result) => TryParse(url, out result, out _);

    /// <summary>The file URL of an absolute local path (a directory path should end with '/').</summary>
    public static StorageUrl FromLocalPath(string absolutePath)
    {
        ArgumentNullException.ThrowIfNull(absolutePath);
        if (!absolutePath.StartsWith('/'))
        {
            throw new ArgumentException($"'{absolutePath}' is not an absolute path.", nameof(absolutePath));
        }

        return new StorageUrl(FileScheme, string.Empty, absolutePath.TrimStart('/'));
    }

    /// <summary>
    /// Appends <paramref name="relative"/> to <paramref name="folderUrl"/>, which may or may not end with '/'.
    /// Leading slashes of <paramref name="relative"/> are ignored.
    /// </summary>
    public static string Join(string folderUrl, string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        var folder = Parse(folderUrl);
        return folder.Child(relative).ToString();
    }

    /// <summary>This location seen as a folder (a trailing '/' added when missing).</summary>
    public StorageUrl AsFolder() => IsFolder ? this : new StorageUrl(Scheme, Bucket, Path + "/");

    /// <summary>The location <paramref name="relative"/> below this one, seen as a folder.</summary>
    public StorageUrl Child(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        return new StorageUrl(Scheme, Bucket, AsFolder().Path + relative.TrimStart('/'));
    }

    public override string ToString() => $"{Scheme}{Separator}{Bucket}/{Path}";

    internal static StorageUrl ParseForStore(string url)
    {
        if (TryParse(url, out var parsed, out var error))
        {
            return parsed;
        }

        throw new StorageException(url ?? "(null)", 400, error);
    }

    private static bool TryParse(string? url, [NotNullWhen(true)] out StorageUrl? result, out string error)
    {
        result = null;
        if (string.IsNullOrEmpty(url))
        {
            error = "A storage URL is required.";
            return false;
        }

        var separator = url.IndexOf(Separator, StringComparison.Ordinal);
        if (separator <= 0)
        {
            error = $"'{url}' is not a storage URL; expected scheme://bucket/path with scheme {string.Join(", ", SupportedSchemes)}.";
            return false;
        }

        var scheme = url[..separator].ToLowerInvariant();
        var rest = url[(separator + Separator.Length)..];
        if (!SupportedSchemes.Contains(scheme))
        {
            error = $"Unsupported scheme '{url[..separator]}' in '{url}'; supported: {string.Join(", ", SupportedSchemes)}.";
            return false;
        }

        if (scheme == FileScheme)
        {
            if (!rest.StartsWith('/'))
            {
                error = $"'{url}' is not a local file URL; expected file:///absolute/path.";
                return false;
            }

            result = new StorageUrl(scheme, string.Empty, rest[1..]);
            error = string.Empty;
            return true;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0)
        {
            error = $"'{url}' has no bucket; expected {scheme}://bucket/path.";
            return false;
        }

        result = new StorageUrl(scheme, bucket, slash < 0 ? string.Empty : rest[(slash + 1)..]);
        error = string.Empty;
        return true;
    }
}
