namespace BqDispatch.Core.Storage;

/// <summary>URL-to-path mapping, validation and error translation of <see cref="FileStore"/>.</summary>
public sealed partial class FileStore
{
    private string ObjectPath(string url, out StorageUrl target)
    {
        target = FileUrl(url);
        if (target.IsFolder)
        {
            throw new StorageException(url, 400, "an object URL must not end with '/'");
        }

        return LocalPath(url, target);
    }

    private string FolderPath(string url, out StorageUrl folder)
    {
        folder = FileUrl(url).AsFolder();
        return LocalPath(url, folder);
    }

    private static StorageUrl FileUrl(string url)
    {
        var parsed = StorageUrl.ParseForStore(url);
        return parsed.Scheme == StorageUrl.FileScheme
            ? parsed
            : throw new StorageException(url, 400, $"the file store serves only {StorageUrl.FileScheme}:/// URLs");
    }

    private string LocalPath(string url, StorageUrl target)
    {
        var segments = target.Path.Split('/');
        var last = target.IsFolder ? segments.Length - 1 : segments.Length;
        for (var i = 0; i < last; i++)
        {
            var segment = segments[i];
            if (target.Path.Length > 0 && (segment.Length == 0 || segment is "." or ".."))
            {
                throw new StorageException(url, 400, "empty, '.' and '..' path segments cannot be stored as files");
            }

            if (segment.StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal))
            {
                throw new StorageException(url, 400, $"names starting with '{AtomicFile.TempPrefix}' are reserved");
            }
        }

        // Said plainly here; the file system would answer with an error that names something else.
        if (ObjectNameLimits.FileProblem(segments) is { } problem)
        {
            throw new StorageException(url, 400, problem);
        }

        var local = target.LocalPath;
        var rootPrefix = Root.EndsWith('/') ? Root : Root + "/";
        if (!local.StartsWith(rootPrefix, StringComparison.Ordinal) && local.TrimEnd('/') != Root)
        {
            throw new StorageException(url, 400, $"outside the file store root {Root}");
        }

        if (!Directory.Exists(Root))
        {
            throw new StorageException(url, 404, $"root directory not found: {Root}");
        }

        RefuseLinks(url, local);
        return local;
    }

    /// <summary>
    /// Refuses a path that passes through a symbolic link below the location holding it, its last part included.
    /// (Checked before each call; a link swapped in during the call itself is not caught.)
    /// </summary>
    private void RefuseLinks(string url, string local)
    {
        var location = Locations.Where(l => IsWithin(local, l)).MaxBy(l => l.Length)
            ?? throw new StorageException(url, 400, $"outside the file store's locations ({string.Join(", ", Locations)})");
        var path = location;
        foreach (var segment in local[location.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = System.IO.Path.Join(path, segment);
            if (new FileInfo(path).LinkTarget is not null)
            {
                throw new StorageException(url, 400, $"{path} is a symbolic link; the file store does not follow links below {location}");
            }

            if (!System.IO.Path.Exists(path))
            {
                return;
            }
        }
    }

    private static bool IsWithin(string path, string directory) =>
        directory == "/" || path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);

    private static void EnsureDirectory(string url, string objectPath)
    {
        if (Directory.Exists(objectPath))
        {
            throw new StorageException(url, 409, "a folder of that name exists; a file store cannot hold both");
        }

        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(objectPath)!);
        }
        catch (IOException e) when (e is not PathTooLongException)
        {
            throw new StorageException(url, 409, "a file stands where a folder of this path is needed", e);
        }
    }

    private static async Task<T> Guard<T>(string url, Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (StorageException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException(url, 403, e.Message, e);
        }
        catch (PathTooLongException e)
        {
            throw new StorageException(url, 400, e.Message, e);
        }
        catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StorageException(url, 404, e.Message, e);
        }
        catch (IOException e)
        {
            throw new StorageException(url, 500, e.Message, e);
        }
    }
}
