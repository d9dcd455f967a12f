namespace BqDispatch.Core.Storage;

/// <summary>
/// Sends each call to the backend registered for its URL's scheme (<c>mem</c>, <c>file</c>, <c>gs</c>).
/// A copy between two backends reads the source generation and creates the destination create-only.
/// Register backends before use; the router itself holds no state beyond that map.
/// </summary>
public sealed class StorageRouter : IObjectStore, IVersionedReader
{
    private readonly Dictionary<string, IObjectStore> _backends = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A router with no backends; add them with <see cref="Register"/>.</summary>
    public StorageRouter()
    {
    }

    /// <summary>A router for <c>mem</c> and <c>file</c> URLs.</summary>
    public StorageRouter(MemoryStore memory, FileStore file)
    {
        Register(StorageUrl.MemScheme, memory).Register(StorageUrl.FileScheme, file);
    }

    /// <summary>The registered schemes, sorted.</summary>
    public IReadOnlyList<string> Schemes => [.. _backends.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) the backend of <paramref name="scheme"/>; returns this router.</summary>
    public StorageRouter Register(string scheme, IObjectStore backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(backend);
        _backends[scheme] = backend;
        return this;
    }

    /// <summary>The backend serving <paramref name="url"/>; StorageException 400 naming the URL when none does.</summary>
    public IObjectStore Resolve(string url)
    {
        var separator = url?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        if (separator > 0 && _backends.TryGetValue(url![..separator], out var backend))
        {
            return backend;
        }

        var scheme = separator > 0 ? $"scheme '{url![..separator]}'" : "a URL without a scheme";
        throw new StorageException(url ?? "(null)", 400, $"no storage backend for {scheme}; supported: {string.Join(", ", Schemes)}");
    }

    public IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, CancellationToken cancellation) =>
        Resolve(folderUrl).ListPages(folderUrl, range, cancellation);

    public Task<byte[]> Read(string url, CancellationToken cancellation) => Resolve(url).Read(url, cancellation);

    public Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) =>
        Resolve(url).Create(url, content, cancellation);

    public Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) => Resolve(url).Put(url, content, cancellation);

    public Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation) =>
        Resolve(url).Delete(url, generation, cancellation);

    public string? NameProblem(string url) => Resolve(url).NameProblem(url);

    public Task<ObjectPresence> Presence(string url, CancellationToken cancellation) => Resolve(url).Presence(url, cancellation);

    public Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation) =>
        Resolve(url).Claim(url, generation, metageneration, cancellation);

    public Task<VersionedObject?> ReadVersioned(string url, CancellationToken cancellation) =>
        ReadVersioned(Resolve(url), url, cancellation);

    /// <summary>
    /// Within one backend, that backend's copy. Across backends: read the source (SourceChanged when it is gone or of
    /// another generation or metageneration), then create the destination create-only (DestinationExists when taken).
    /// Two calls cannot be one atomic copy: a claim taken over between them is not seen.
    /// </summary>
    public async Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation)
    {
        var source = Resolve(sourceUrl);
        var destination = Resolve(destinationUrl);
        if (ReferenceEquals(source, destination))
        {
            return await source.CopyIfAbsent(sourceUrl, sourceGeneration, sourceMetageneration, destinationUrl, cancellation);
        }

        var found = await ReadVersioned(source, sourceUrl, cancellation);
        if (found is null || found.Info.Generation != sourceGeneration
            || (sourceMetageneration is { } metageneration && found.Info.Metageneration != metageneration))
        {
            return CopyOutcome.SourceChanged;
        }

        var created = await destination.Create(destinationUrl, found.Content, cancellation);
        return created == CreateOutcome.Created ? CopyOutcome.Copied : CopyOutcome.DestinationExists;
    }

    /// <summary>
    /// Reads an object with its generation. A backend without <see cref="IVersionedReader"/> is asked for the
    /// generation through a listing of the object's folder before and after the read; if the two disagree the
    /// bytes may belong to either, so the object is reported as changed (null).
    /// </summary>
    private static async Task<VersionedObject?> ReadVersioned(IObjectStore backend, string url, CancellationToken cancellation)
    {
        if (backend is IVersionedReader versioned)
        {
            return await versioned.ReadVersioned(url, cancellation);
        }

        var before = await Stat(backend, url, cancellation);
        if (before is null)
        {
            return null;
        }

        byte[] content;
        try
        {
            content = await backend.Read(url, cancellation);
        }
        catch (StorageException e) when (e.Status == 404)
        {
            return null;
        }

        var after = await Stat(backend, url, cancellation);
        return after is not null && after.Generation == before.Generation ? new VersionedObject(before, content) : null;
    }

    private static async Task<StoredObject?> Stat(IObjectStore backend, string url, CancellationToken cancellation)
    {
        var target = StorageUrl.ParseForStore(url);
        var listing = await backend.List(target.Folder.ToString(), cancellation);
        return listing.Objects.FirstOrDefault(o => string.Equals(o.Name, target.Name, StringComparison.Ordinal));
    }
}
