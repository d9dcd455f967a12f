using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Storage.Gcs;

/// <summary>
/// <see cref="IObjectStore"/> for <c>gs://bucket/name</c> URLs over the Cloud Storage JSON API v1 with a plain
/// <see cref="HttpClient"/>. Authentication and retries belong to the client's handlers (a <see cref="RetryHandler"/>
/// is expected): this class marks the requests that are safe to repeat. A create or copy whose attempt may have landed
/// unseen (no response, or a 500/502/504) is not repeated blindly: it looks first, at the live object and at soft-deleted
/// ones, because its consumer may already have taken the object and deleted it. Object names go in one fully
/// percent-encoded path segment ('/' as %2F).
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
    public const string ListFieldsMask = "nextPageToken,prefixes,items(name,generation,metageneration,size,timeCreated,updated)";

    /// <summary>Partial-response mask of objects.get (metadata) and of upload responses.</summary>
    public const string ObjectFieldsMask = "name,generation,metageneration,size,timeCreated,updated,md5Hash,crc32c,metadata";

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

        // Set once an attempt may have landed unseen: from then on, what is at the name may be this call's own work.
        var mayHaveLanded = false;
        for (var round = 1; ; round++)
        {
            var (answer, retried) = await Upload(target, content, cancellation);
            mayHaveLanded |= retried;
            if (answer == WriteAnswer.Done)
            {
                return CreateOutcome.Created;
            }

            if (answer == WriteAnswer.Refused && !mayHaveLanded)
            {
                return CreateOutcome.AlreadyExists;
            }

            // What the 412 met, or what an unanswered attempt may have written, perhaps consumed since (soft delete shows
            // it). Same bytes → ours. (An identical object written concurrently by someone else is indistinguishable; for
            // the dispatcher's content-addressed writes that is the same outcome.)
            if (await Written(target, cancellation) is { } written)
            {
                return await HasContent(target, written, content, cancellation) ? CreateOutcome.Created : CreateOutcome.AlreadyExists;
            }

            // Refused, and gone without a trace: it existed at the 412, so it is not written again.
            if (answer == WriteAnswer.Refused)
            {
                return CreateOutcome.AlreadyExists;
            }

            mayHaveLanded = true;
            if (round >= MaxConflictRounds)
            {
                throw new StorageException(url, 0, "create: no attempt was answered and none left a trace");
            }
        }
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

    public async Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation)
    {
        var source = ObjectUrl(sourceUrl);
        var destination = ObjectUrl(destinationUrl);

        // Set once an attempt may have landed unseen: from then on, what is at the destination may be this copy's own work.
        var mayHaveLanded = false;
        for (var round = 1; ; round++)
        {
            var (answer, retried) = await Rewrite(source, sourceGeneration, sourceMetageneration, destination, cancellation);
            mayHaveLanded |= retried;
            if (answer == WriteAnswer.Done)
            {
                return CopyOutcome.Copied;
            }

            // Whatever failed, find out about the source first, as the service does.
            var sourceInfo = await Stat(source, cancellation);
            var sourceKept = sourceInfo is not null && sourceInfo.Generation == sourceGeneration
                && (sourceMetageneration is null || sourceInfo.Stored.Metageneration == sourceMetageneration);
            if (answer == WriteAnswer.Unanswered)
            {
                // Look before writing again: BqTail may have consumed the copy and deleted it already, and a blind retry
                // would create it a second time. Soft delete remembers a consumed copy.
                mayHaveLanded = true;
                if (await Written(destination, cancellation) is { } written)
                {
                    return sourceKept && SameHash(sourceInfo!, written) ? CopyOutcome.Copied : CopyOutcome.DestinationExists;
                }

                if (!sourceKept)
                {
                    return CopyOutcome.SourceChanged;
                }

                if (round >= MaxConflictRounds)
                {
                    throw new StorageException(destinationUrl, 0, $"copy from {sourceUrl}: no attempt was answered and none left a trace");
                }

                continue;
            }

            if (!sourceKept)
            {
                return CopyOutcome.SourceChanged;
            }

            if (answer == WriteAnswer.Missing)
            {
                throw new StorageException(destinationUrl, 404, $"copy from {sourceUrl} failed: the destination bucket was not found");
            }

            // 412 with the source as it was: the destination existed when the service weighed the rewrite. It was handed
            // off, whatever became of it since (BqTail deletes trigger objects within seconds): never copy again.
            if (!mayHaveLanded)
            {
                return CopyOutcome.DestinationExists;
            }

            // An earlier attempt went unanswered: the object the 412 met may be this copy's own, live or consumed since.
            return await Written(destination, cancellation) is { } mine && SameHash(sourceInfo!, mine)
                ? CopyOutcome.Copied
                : CopyOutcome.DestinationExists;
        }
    }

    public string? NameProblem(string url) => ObjectNameLimits.CloudStorageProblem(ObjectUrl(url).Path);

    public async Task<ObjectPresence> Presence(string url, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        return await Stat(target, cancellation) is not null ? ObjectPresence.Live
            : await NewestDeleted(target, cancellation) is not null ? ObjectPresence.Deleted
            : ObjectPresence.Absent;
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
