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

        return local;
    }

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
