using System.Runtime.InteropServices;

namespace BqDispatch.Core.Storage;

/// <summary>
/// Crash-safe file writes for <see cref="FileStore"/>: content is written to a hidden temp file in the target
/// directory, stamped with its generation and fsynced, then published under its final name in one atomic step.
/// A reader or lister therefore never sees a partly written object, and a crash leaves at most a hidden temp file.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Prefix of temp files; listings hide them and object names may not use it.</summary>
    public const string TempPrefix = ".bqdispatch-tmp-";

    private const int CopyBufferSize = 81_920;
    private const int Eexist = 17;

    public static string TempPathIn(string directory) =>
        System.IO.Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>Writes a temp file next to <paramref name="finalPath"/> whose last-write time is <paramref name="generation"/> ticks.</summary>
    public static async Task<string> WriteTemp(string finalPath, long generation, Func<Stream, CancellationToken, Task> fill, CancellationToken cancellation)
    {
        var temp = TempPathIn(System.IO.Path.GetDirectoryName(finalPath)!);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
            };
            await using var stream = new FileStream(temp, options);
            await fill(stream, cancellation);
            File.SetLastWriteTimeUtc(stream.SafeFileHandle, new DateTime(generation, DateTimeKind.Utc));
            stream.Flush(flushToDisk: true);
            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static Func<Stream, CancellationToken, Task> FromBytes(ReadOnlyMemory<byte> content) =>
        (stream, cancellation) => stream.WriteAsync(content, cancellation).AsTask();

    public static Func<Stream, CancellationToken, Task> FromStream(Stream source) =>
        (stream, cancellation) => source.CopyToAsync(stream, CopyBufferSize, cancellation);

    /// <summary>
    /// Publishes <paramref name="temp"/> as <paramref name="finalPath"/> unless that name exists; returns false
    /// when it does. The temp name is removed either way.
    /// </summary>
    /// <remarks>
    /// .NET's <c>File.Move(src, dst, overwrite: false)</c> is not safe for this on Linux: it calls lstat(dst)
    /// and, when dst is absent, rename(2), which silently replaces a dst created in between (verified with
    /// strace on .NET 10). link(2) fails with EEXIST instead, atomically, so on Unix the temp file is hard-linked
    /// to its final name and then unlinked. On a filesystem without hard links this fails loudly rather than
    /// falling back to a racy check. On Windows MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic.
    /// </remarks>
    public static bool PublishIfAbsent(string temp, string finalPath)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                try
                {
                    File.Move(temp, finalPath, overwrite: false);
                    return true;
                }
                catch (IOException) when (File.Exists(finalPath) || Directory.Exists(finalPath))
                {
                    return false;
                }
            }

            if (Native.link(temp, finalPath) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Eexist)
            {
                return false;
            }

            throw new IOException($"link({finalPath}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); "
                + "the file store needs a filesystem with hard links for atomic create-only writes.");
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Replaces <paramref name="finalPath"/> with <paramref name="temp"/> atomically (rename(2)).</summary>
    public static void Replace(string temp, string finalPath)
    {
        try
        {
            File.Move(temp, finalPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is hidden from listings.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
    }
}
