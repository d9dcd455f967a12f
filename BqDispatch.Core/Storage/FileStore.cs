using System.Runtime.CompilerServices;

namespace BqDispatch.Core.Storage;

/// <summary>
/// Backend for <c>file:///abs/path</c> URLs (a self-hosted runner's local directories) with the Cloud Storage
/// semantics of <see cref="IObjectStore"/> as far as a filesystem allows:
/// <list type="bullet">
/// <item>Folders are directories, created as needed on writes. A directory that holds no object (at any depth)
/// is not listed, as Cloud Storage has no empty prefixes. A name cannot be both an object and a folder (409).</item>
/// <item>The store's root directory plays the bucket: it must exist (404 otherwise) and every URL must lie below
/// it (400 otherwise). The default root is '/'.</item>
/// <item>The generation of an object is its last-write time in UTC ticks. Every write stamps a fresh value,
/// strictly increasing within the process and greater than the generation it replaces, so a rewrite always
/// changes the generation. Created and Updated are both that time.</item>
/// <item>Writes go through a hidden temp file (prefix <c>.bqdispatch-tmp-</c>) in the target directory and are
/// published atomically (<see cref="AtomicFile"/>); listings hide temp files.</item>
/// <item>Symbolic links are not followed below the store's locations (the configured folders; the root when none are
/// given): a listing shows a link as it is, without looking through it, and any call whose path passes through a link
/// below its location fails with 400. A link planted in a task folder (a linked <c>proj:</c> folder, a linked trace)
/// cannot have files elsewhere listed, copied or deleted through it. A location itself may be reached through links.</item>
/// </list>
/// </summary>
public sealed partial class FileStore : IObjectStore, IVersionedReader
{
    // Entries per listing page, as Cloud Storage pages them.
    private const int ListPageSize = 1000;

    private static long s_lastGeneration;

    private readonly Func<DateTimeOffset> _clock;

    /// <param name="rootDirectory">Absolute directory all URLs must lie under; '/' when null.</param>
    /// <param name="clock">Source of write times (and so generations); UtcNow when null.</param>
    /// <param name="locations">Absolute directories the store serves (the configured folders); the root when null.</param>
    public FileStore(string? rootDirectory = null, Func<DateTimeOffset>? clock = null, IEnumerable<string>? locations = null)
    {
        Root = Absolute(rootDirectory ?? "/", nameof(rootDirectory));
        Locations = locations?.Select(l => Absolute(l, nameof(locations))).Distinct(StringComparer.Ordinal).ToList() ?? [Root];
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The root directory (no trailing separator except for '/').</summary>
    public string Root { get; }

    /// <summary>The directories calls may reach (no trailing separator except for '/'); no link below one is followed.</summary>
    public IReadOnlyList<string> Locations { get; }

    /// <summary>
    /// Reads the directory at the first page, then hands it out a page at a time. A sub-folder belongs to the range
    /// that holds its own name (<c>sub/</c>), which keeps every sub-folder in exactly one range of a partition.
    /// </summary>
    public async IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var (objects, folders) = await Guard(folderUrl, () => Task.FromResult(ReadLevel(folderUrl, range, cancellation)));
        foreach (var page in LevelPages.Of(objects, folders, ListPageSize))
        {
            yield return page;
        }
    }

    private (List<StoredObject> Objects, List<string> Folders) ReadLevel(string folderUrl, NameRange range, CancellationToken cancellation)
    {
        var directory = FolderPath(folderUrl, out var folder);
        cancellation.ThrowIfCancellationRequested();
        var objects = new List<StoredObject>();
        var folders = new List<string>();
        if (Directory.Exists(directory))
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", Entries(recurse: false)))
            {
                if (entry.Name.StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (entry is FileInfo file && range.Contains(file.Name))
                {
                    objects.Add(Describe(folder.Child(file.Name), file.LastWriteTimeUtc, file.Length));
                }
                else if (entry is DirectoryInfo && range.Contains(entry.Name + "/") && (IsLink(entry) || HoldsObjects(entry.FullName)))
                {
                    // A linked folder is shown, not looked into: listing it fails and names the link.
                    folders.Add(folder.Child(entry.Name + "/").ToString());
                }
            }
        }

        objects.Sort((a, b) => ObjectNameComparer.Instance.Compare(a.Name, b.Name));
        folders.Sort(ObjectNameComparer.Instance);
        return (objects, folders);
    }

    public async Task<byte[]> Read(string url, CancellationToken cancellation)
    {
        var found = await ReadVersioned(url, cancellation);
        return found is null ? throw new StorageException(url, 404, "object not found") : found.Content.ToArray();
    }

    public Task<VersionedObject?> ReadVersioned(string url, CancellationToken cancellation) => Guard(url, async () =>
    {
        var path = ObjectPath(url, out var target);
        await using var stream = OpenExisting(path);
        if (stream is null)
        {
            return null;
        }

        var content = new byte[stream.Length];
        await stream.ReadExactlyAsync(content, cancellation);
        var info = Describe(target, File.GetLastWriteTimeUtc(stream.SafeFileHandle), content.LongLength);
        return new VersionedObject(info, content);
    });

    public Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) => Guard(url, async () =>
    {
        var path = ObjectPath(url, out _);
        if (File.Exists(path))
        {
            return CreateOutcome.AlreadyExists;
        }

        EnsureDirectory(url, path);
        var temp = await AtomicFile.WriteTemp(path, NextGeneration(0), AtomicFile.FromBytes(content), cancellation);
        return AtomicFile.PublishIfAbsent(temp, path) ? CreateOutcome.Created : CreateOutcome.AlreadyExists;
    });

    public Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) => Guard(url, async () =>
    {
        var path = ObjectPath(url, out _);
        EnsureDirectory(url, path);
        var previous = File.Exists(path) ? File.GetLastWriteTimeUtc(path).Ticks : 0;
        var temp = await AtomicFile.WriteTemp(path, NextGeneration(previous), AtomicFile.FromBytes(content), cancellation);
        AtomicFile.Replace(temp, path);
        return true;
    });

    /// <summary>
    /// Streams the source generation into a temp file and publishes it only if the destination is still absent.
    /// The source is checked first (as Cloud Storage does): missing or of another generation is
    /// <see cref="CopyOutcome.SourceChanged"/>. The bytes copied are those of the generation checked, because
    /// writers never modify a file in place (they replace it), so the open handle keeps seeing that version.
    /// </summary>
    public Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation) =>
        Guard(destinationUrl, async () =>
        {
            var sourcePath = ObjectPath(sourceUrl, out _);
            var destinationPath = ObjectPath(destinationUrl, out _);
            await using var source = OpenExisting(sourcePath);
            if (source is null || File.GetLastWriteTimeUtc(source.SafeFileHandle).Ticks != sourceGeneration)
            {
                return CopyOutcome.SourceChanged;
            }

            if (File.Exists(destinationPath))
            {
                return CopyOutcome.DestinationExists;
            }

            EnsureDirectory(destinationUrl, destinationPath);
            var temp = await AtomicFile.WriteTemp(destinationPath, NextGeneration(0), AtomicFile.FromStream(source), cancellation);
            return AtomicFile.PublishIfAbsent(temp, destinationPath) ? CopyOutcome.Copied : CopyOutcome.DestinationExists;
        });

    /// <summary>
    /// Deletes the object only if its generation matches. The file is first renamed aside (atomic), so the
    /// generation checked is that of the very file removed: a newer generation written concurrently is never
    /// deleted. When the generation differs the file is linked back under its name; if a new object took the
    /// name meanwhile, the new one stays and the stale one is dropped, as if it had been overwritten.
    /// </summary>
    public Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation) => Guard(url, () =>
    {
        var path = ObjectPath(url, out _);
        cancellation.ThrowIfCancellationRequested();
        if (!File.Exists(path))
        {
            return Task.FromResult(DeleteOutcome.Missing);
        }

        var aside = AtomicFile.TempPathIn(System.IO.Path.GetDirectoryName(path)!);
        try
        {
            File.Move(path, aside, overwrite: false);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult(DeleteOutcome.Missing);
        }

        if (File.GetLastWriteTimeUtc(aside).Ticks == generation)
        {
            File.Delete(aside);
            return Task.FromResult(DeleteOutcome.Deleted);
        }

        AtomicFile.PublishIfAbsent(aside, path);
        return Task.FromResult(DeleteOutcome.GenerationChanged);
    });

    public string? NameProblem(string url) => ObjectNameLimits.FileProblem(FileUrl(url).Path.Split('/'));

    /// <summary>
    /// A file has no metadata to record a claim in: the claim succeeds while the file has <paramref name="generation"/> and
    /// is not recorded (metageneration stays 1), so copies cannot be pinned to it. A directory serves one host.
    /// </summary>
    public Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation) => Guard(url, () =>
    {
        var path = ObjectPath(url, out _);
        cancellation.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(path) && File.GetLastWriteTimeUtc(path).Ticks == generation
            ? new ClaimResult(ClaimOutcome.Claimed, 1)
            : ClaimResult.Gone);
    });

    /// <summary>Live or absent: a directory keeps nothing of a deleted file.</summary>
    public Task<ObjectPresence> Presence(string url, CancellationToken cancellation) => Guard(url, () =>
    {
        var path = ObjectPath(url, out _);
        cancellation.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(path) ? ObjectPresence.Live : ObjectPresence.Absent);
    });

    private static StoredObject Describe(StorageUrl url, DateTime lastWriteUtc, long size)
    {
        var time = new DateTimeOffset(DateTime.SpecifyKind(lastWriteUtc, DateTimeKind.Utc));
        return new StoredObject(url.ToString(), url.Name, lastWriteUtc.Ticks, size, time, time);
    }

    private static FileStream? OpenExisting(string path)
    {
        if (Directory.Exists(path))
        {
            return null;
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static EnumerationOptions Entries(bool recurse) => new()
    {
        // The default skips "hidden" entries, which on Unix means every name starting with '.'. A recursive walk skips
        // links (reparse points), because it would follow them, out of the store and round any loop they make.
        AttributesToSkip = recurse ? FileAttributes.ReparsePoint : 0,
        IgnoreInaccessible = true,
        RecurseSubdirectories = recurse,
    };

    private static bool HoldsObjects(string directory) =>
        Directory.EnumerateFiles(directory, "*", Entries(recurse: true))
            .Any(file => !System.IO.Path.GetFileName(file).StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal));

    private static bool IsLink(FileSystemInfo entry) => entry.Attributes.HasFlag(FileAttributes.ReparsePoint);

    private static string Absolute(string directory, string parameter) =>
        System.IO.Path.IsPathFullyQualified(directory)
            ? System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory))
            : throw new ArgumentException($"The file store directory '{directory}' must be an absolute path.", parameter);

    private long NextGeneration(long replacing)
    {
        var wanted = Math.Max(_clock().UtcTicks, replacing + 1);
        while (true)
        {
            var last = Interlocked.Read(ref s_lastGeneration);
            var next = Math.Max(wanted, last + 1);
            if (Interlocked.CompareExchange(ref s_lastGeneration, next, last) == last)
            {
                return next;
            }
        }
    }
}
