using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Storage.Gcs;

/// <summary>
/// <see cref="IObjectStore"/> for <c>gs://bucket/name</c> URLs over the Cloud Storage JSON API v1 with a plain
/// <see cref="HttpClient"/>. Authentication and retries belong to the client's handlers (a <see cref="RetryHandler"/>
/// is expected): this class marks the requests that are safe to repeat and reconciles a create or copy whose
/// precondition failed after a retry whose earlier attempt may have landed unseen (no response, or a 500/502/504).
/// Object names go in one fully percent-encoded path segment ('/' as %2F).
/// </summary>
public sealed partial class GcsStore : IObjectStore, IVersionedReader
{
    /// <summary>The Google endpoint.</summary>
    public const string DefaultBaseUrl = "https://storage.googleapis.com/";

    /// <summary>Environment variable pointing Cloud Storage calls at an emulator: <c>host:port</c> or <c>http://host:port</c>.</summary>
    public const string EmulatorHostVariable = "STORAGE_EMULATOR_HOST";

    /// <summary>Default objects.list maxResults (the service's own cap).</summary>
    public const int DefaultPageSize = 1000;

    /// <summary>Partial-response mask of objects.list.</summary>
    public const string ListFieldsMask = "nextPageToken,prefixes,items(name,generation,size,timeCreated,updated)";

    /// <summary>Partial-response mask of objects.get (metadata) and of upload responses.</summary>
    public const string ObjectFieldsMask = "name,generation,size,timeCreated,updated,md5Hash,crc32c";

    /// <summary>Partial-response mask of objects.rewrite.</summary>
    public const string RewriteFieldsMask = "done,rewriteToken,totalBytesRewritten,objectSize,resource(" + ObjectFieldsMask + ")";

    // A precondition race that keeps contradicting itself (e.g. a destination created and deleted over and
    // over) is reported instead of looping.
    private const int MaxConflictRounds = 5;

    private readonly HttpClient http;

    public GcsStore(HttpClient http, string baseUrl = DefaultBaseUrl, int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        this.http = http;
        BaseUrl = ServiceEndpoint.Root(baseUrl);
        PageSize = pageSize;
    }

    /// <summary>Root of the service, ending with '/'; metadata calls go to storage/v1/, uploads to upload/storage/v1/.</summary>
    public Uri BaseUrl { get; }

    /// <summary>maxResults sent on every objects.list page.</summary>
    public int PageSize { get; }

    /// <summary>
    /// The base URL given the process environment: <c>http://host:port/</c> when <c>STORAGE_EMULATOR_HOST</c> is set
    /// (to <c>host:port</c> or an <c>http(s)://host:port</c> URL, whose path is ignored), else <see cref="DefaultBaseUrl"/>.
    /// </summary>
    public static string BaseUrlFrom(IReadOnlyDictionary<string, string?> environment) =>
        ServiceEndpoint.FromEnvironment(environment, EmulatorHostVariable, DefaultBaseUrl, "/");

    /// <summary>objects.list with the prefix and '/' as delimiter, the range as startOffset/endOffset; one request per page read.</summary>
    public async IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, [EnumeratorCancellation] CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(range);
        var folder = BucketUrl(folderUrl).AsFolder();
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? pageToken = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ListUri(folder, range, pageToken));
            var (page, next) = await ReadListPage(request, folder, cancellation);
            if (next is not null && !seenTokens.Add(next))
            {
                throw Invalid(folder.ToString(), "a page repeated an earlier nextPageToken");
            }

            pageToken = next;
            yield return page;
        }
        while (pageToken is not null);
    }

    public async Task<byte[]> Read(string url, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, MediaUri(target, null));
        using var response = await Send(request, url, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorFrom(response, url, cancellation);
        }

        return await ReadBody(response, url, cancellation);
    }

    public async Task<VersionedObject?> ReadVersioned(string url, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        for (var round = 1; ; round++)
        {
            var info = await Stat(target, cancellation);
            if (info is null)
            {
                return null;
            }

            // The media request pins the generation the metadata named, so the bytes belong to it.
            using var request = new HttpRequestMessage(HttpMethod.Get, MediaUri(target, info.Generation));
            using var response = await Send(request, url, cancellation);
            if (response.IsSuccessStatusCode)
            {
                return new VersionedObject(info.Stored, await ReadBody(response, url, cancellation));
            }

            // 404: that generation was replaced or deleted between the two calls; look again.
            if (response.StatusCode != HttpStatusCode.NotFound || round >= MaxConflictRounds)
            {
                throw await ErrorFrom(response, url, cancellation);
            }
        }
    }

    public async Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        using var request = UploadRequest(target, content, createOnly: true);
        using var response = await Send(request, url, cancellation);
        if (response.IsSuccessStatusCode)
        {
            return CreateOutcome.Created;
        }

        if (response.StatusCode != HttpStatusCode.PreconditionFailed)
        {
            throw await ErrorFrom(response, url, cancellation);
        }

        if (!MayHaveLanded(request))
        {
            return CreateOutcome.AlreadyExists;
        }

        // A retried create-only upload whose earlier attempt went unanswered: the 412 may answer that attempt, which
        // landed although its response was lost. Same bytes → ours. (An identical object written concurrently by someone else is
        // indistinguishable; for the dispatcher's content-addressed hand-offs that is the same outcome.)
        var existing = await Stat(target, cancellation);
        return existing is not null && await HasContent(target, existing, content, cancellation)
            ? CreateOutcome.Created
            : CreateOutcome.AlreadyExists;
    }

    public async Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        using var request = UploadRequest(target, content, createOnly: false);
        using var response = await Send(request, url, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorFrom(response, url, cancellation);
        }
    }

    public async Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, string destinationUrl, CancellationToken cancellation)
    {
        var source = ObjectUrl(sourceUrl);
        var destination = ObjectUrl(destinationUrl);
        for (var round = 1; ; round++)
        {
            var (status, retried) = await Rewrite(source, sourceGeneration, destination, cancellation);
            if (status == HttpStatusCode.OK)
            {
                return CopyOutcome.Copied;
            }

            // 404 or 412: find out which side failed. The source is checked first, as the service does.
            var sourceInfo = await Stat(source, cancellation);
            if (sourceInfo is null || sourceInfo.Generation != sourceGeneration)
            {
                return CopyOutcome.SourceChanged;
            }

            if (status == HttpStatusCode.NotFound)
            {
                throw new StorageException(destinationUrl, 404, $"copy from {sourceUrl} failed: the destination bucket was not found");
            }

            var destinationInfo = await Stat(destination, cancellation);
            if (destinationInfo is not null)
            {
                // A retried rewrite whose earlier attempt landed: the destination holds the source's bytes.
                return retried && SameHash(sourceInfo, destinationInfo) ? CopyOutcome.Copied : CopyOutcome.DestinationExists;
            }

            // The destination existed at the rewrite and is gone now: try again rather than claim it exists.
            if (round >= MaxConflictRounds)
            {
                throw new StorageException(destinationUrl, 412, $"copy from {sourceUrl}: the destination keeps appearing and disappearing");
            }
        }
    }

    public async Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        var uri = new Uri(ObjectPath(target) + "?ifGenerationMatch=" + generation.ToString(CultureInfo.InvariantCulture) + "&prettyPrint=false");
        using var request = new HttpRequestMessage(HttpMethod.Delete, uri);

        // ifGenerationMatch makes the delete idempotent: a repeat removes nothing else.
        request.Options.Set(RetryHandler.Idempotent, true);
        using var response = await Send(request, url, cancellation);
        return response.StatusCode switch
        {
            HttpStatusCode.NoContent or HttpStatusCode.OK => DeleteOutcome.Deleted,

            // Also what a retried delete sees when its first attempt landed: the object is gone either way.
            HttpStatusCode.NotFound => DeleteOutcome.Missing,
            HttpStatusCode.PreconditionFailed => DeleteOutcome.GenerationChanged,
            _ => throw await ErrorFrom(response, url, cancellation),
        };
    }
}
