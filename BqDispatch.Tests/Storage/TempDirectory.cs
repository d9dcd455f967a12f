namespace BqDispatch.Tests.Storage;

/// <summary>A fresh directory under the system temp folder, removed on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("bqdispatch-storage-").FullName;
    }

    public string Path { get; }

    /// <summary>The directory as a file URL ending with '/'.</summary>
    public string Url => "file://" + Path.TrimEnd('/') + "/";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }
    }
}
