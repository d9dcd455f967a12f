using System.Globalization;
using System.Text;

namespace BqDispatch.Core.Storage;

/// <summary>The longest names each kind of store holds. A name beyond them cannot be written there, whatever is retried.</summary>
public static class ObjectNameLimits
{
    /// <summary>Cloud Storage: a whole object name is at most 1,024 bytes of UTF-8. mem:// keeps the same rule.</summary>
    public const int CloudStorageBytes = 1024;

    /// <summary>A local file system: each name along a path (a file or directory name) is at most 255 bytes of UTF-8 (NAME_MAX).</summary>
    public const int FileNameBytes = 255;

    /// <summary>Why Cloud Storage cannot hold <paramref name="objectName"/>, or null.</summary>
    public static string? CloudStorageProblem(string objectName)
    {
        var bytes = Encoding.UTF8.GetByteCount(objectName);
        return bytes <= CloudStorageBytes
            ? null
            : $"Cloud Storage object names hold at most {Number(CloudStorageBytes)} bytes; this one has {Number(bytes)}";
    }

    /// <summary>Why a file system cannot hold a path made of <paramref name="segments"/>, or null.</summary>
    public static string? FileProblem(IEnumerable<string> segments)
    {
        foreach (var segment in segments)
        {
            var bytes = Encoding.UTF8.GetByteCount(segment);
            if (bytes > FileNameBytes)
            {
                return $"a file:// store holds names of at most {Number(FileNameBytes)} bytes; '{segment[..40]}…' has {Number(bytes)}";
            }
        }

        return null;
    }

    private static string Number(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
