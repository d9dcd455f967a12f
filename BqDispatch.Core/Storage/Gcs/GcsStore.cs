using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Storage.Gcs;

/// <summary>
/// <see cref="IObjectStore"/> for <c>gs://bucket/name</c> URLs over the Cloud Storage JSON API v1 with a plain
/// <see cref="HttpClient"/>. Authentication and retries belong to the client's handlers (a <see cref="RetryHandler"/>
/// is expected): this class marks the requests that are safe to repeat and reconciles a create or copy whose
/// precondition failed after a retry whose earlier attempt may have landed unseen (no response, or a 500/502/504).
/// Object names go in one fully percent-encoded path segment ('/' as %2F).
/// </summary>
public sealed class GcsStore : IObjectStore, IVersionedReader
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

    private const int ErrorBodyLimit = 64 * 1024;

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

    public async Task<Listing> List(string folderUrl, CancellationToken cancellation)
    {
        var folder = BucketUrl(folderUrl).AsFolder();
        var objects = new List<StoredObject>();
        var folders = new List<string>();
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? pageToken = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ListUri(folder, pageToken));
            using var document = await SendJson(request, folder.ToString(), cancellation);
            var root = document.RootElement;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    var info = ReadObject(item, folder, folder.ToString());

                    // A "folder placeholder" object named exactly like the prefix is not a child of the folder.
                    if (info.Url.Length > folder.ToString().Length)
                    {
                        objects.Add(info);
                    }
                }
            }

            if (root.TryGetProperty("prefixes", out var prefixes) && prefixes.ValueKind == JsonValueKind.Array)
            {
                foreach (var prefix in prefixes.EnumerateArray())
                {
                    var name = prefix.GetString() ?? throw Invalid(folder.ToString(), "a prefix is not a string");
                    if (!name.StartsWith(folder.Path, StringComparison.Ordinal))
                    {
                        throw Invalid(folder.ToString(), $"prefix '{name}' is outside the listed folder");
                    }

                    folders.Add(folder.Child(name[folder.Path.Length..]).ToString());
                }
            }

            pageToken = root.TryGetProperty("nextPageToken", out var next) && next.ValueKind == JsonValueKind.String
                && next.GetString() is { Length: > 0 } token ? token : null;
            if (pageToken is not null && !seenTokens.Add(pageToken))
            {
                throw Invalid(folder.ToString(), "a page repeated an earlier nextPageToken");
            }
        }
        while (pageToken is not null);

        objects.Sort((a, b) => ObjectNameComparer.Instance.Compare(a.Name, b.Name));
        folders.Sort(ObjectNameComparer.Instance);
        return new Listing(objects, folders);
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

    private Uri ListUri(StorageUrl folder, string? pageToken)
    {
        var url = new StringBuilder(BaseUrl.AbsoluteUri)
            .Append("storage/v1/b/").Append(Uri.EscapeDataString(folder.Bucket)).Append("/o")
            .Append("?prefix=").Append(Uri.EscapeDataString(folder.Path))
            .Append("&delimiter=%2F")
            .Append("&maxResults=").Append(PageSize.ToString(CultureInfo.InvariantCulture))
            .Append("&fields=").Append(Uri.EscapeDataString(ListFieldsMask))
            .Append("&prettyPrint=false");
        if (pageToken is not null)
        {
            url.Append("&pageToken=").Append(Uri.EscapeDataString(pageToken));
        }

        return new Uri(url.ToString());
    }

    private string ObjectPath(StorageUrl target) =>
        $"{BaseUrl.AbsoluteUri}storage/v1/b/{Uri.EscapeDataString(target.Bucket)}/o/{Uri.EscapeDataString(target.Path)}";

    private Uri MediaUri(StorageUrl target, long? generation) =>
        new(ObjectPath(target) + "?alt=media"
            + (generation is { } g ? "&generation=" + g.ToString(CultureInfo.InvariantCulture) : ""));

    private HttpRequestMessage UploadRequest(StorageUrl target, ReadOnlyMemory<byte> content, bool createOnly)
    {
        var uri = new StringBuilder(BaseUrl.AbsoluteUri)
            .Append("upload/storage/v1/b/").Append(Uri.EscapeDataString(target.Bucket)).Append("/o")
            .Append("?uploadType=media&name=").Append(Uri.EscapeDataString(target.Path));
        if (createOnly)
        {
            uri.Append("&ifGenerationMatch=0");
        }

        uri.Append("&fields=").Append(Uri.EscapeDataString(ObjectFieldsMask)).Append("&prettyPrint=false");
        var body = new ByteArrayContent(content.ToArray());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(uri.ToString())) { Content = body };

        // Create-only: ifGenerationMatch=0 makes a repeat harmless (412, reconciled by the caller).
        // Put: a full overwrite with the same bytes leaves the same content whether it runs once or twice
        // (only the generation differs), and it is used only for journal files that are rewritten anyway.
        request.Options.Set(RetryHandler.Idempotent, true);
        return request;
    }

    /// <summary>The rewrite loop. Returns 200 when done, else 404/412 (other failures throw) and whether the final call was retried.</summary>
    private async Task<(HttpStatusCode Status, bool Retried)> Rewrite(
        StorageUrl source, long sourceGeneration, StorageUrl destination, CancellationToken cancellation)
    {
        var generation = sourceGeneration.ToString(CultureInfo.InvariantCulture);
        var first = $"{ObjectPath(source)}/rewriteTo/b/{Uri.EscapeDataString(destination.Bucket)}/o/{Uri.EscapeDataString(destination.Path)}"
                    + $"?ifGenerationMatch=0&sourceGeneration={generation}&ifSourceGenerationMatch={generation}"
                    + $"&fields={Uri.EscapeDataString(RewriteFieldsMask)}&prettyPrint=false";
        var url = destination.ToString();
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        while (true)
        {
            var uri = token is null ? first : first + "&rewriteToken=" + Uri.EscapeDataString(token);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(uri))
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            };

            // ifGenerationMatch=0 on the destination makes every round safe to repeat.
            request.Options.Set(RetryHandler.Idempotent, true);
            using var response = await Send(request, url, cancellation);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
            {
                return (response.StatusCode, MayHaveLanded(request));
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorFrom(response, url, cancellation);
            }

            using var document = await ParseJson(response, url, cancellation);
            var root = document.RootElement;
            if (root.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.True)
            {
                return (HttpStatusCode.OK, MayHaveLanded(request));
            }

            token = root.TryGetProperty("rewriteToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            if (string.IsNullOrEmpty(token) || !seenTokens.Add(token))
            {
                throw Invalid(url, "a rewrite that is not done gave no new rewriteToken");
            }
        }
    }

    private async Task<ObjectInfo?> Stat(StorageUrl target, CancellationToken cancellation)
    {
        var uri = new Uri(ObjectPath(target) + "?fields=" + Uri.EscapeDataString(ObjectFieldsMask) + "&prettyPrint=false");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var url = target.ToString();
        using var response = await Send(request, url, cancellation);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorFrom(response, url, cancellation);
        }

        using var document = await ParseJson(response, url, cancellation);
        var root = document.RootElement;
        var stored = ReadObject(root, target, url);
        return new ObjectInfo(stored, OptionalString(root, "md5Hash"), OptionalString(root, "crc32c"));
    }

    private async Task<bool> HasContent(StorageUrl target, ObjectInfo existing, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        if (existing.Stored.Size != content.Length)
        {
            return false;
        }

        if (existing.Md5Hash is not null)
        {
            return string.Equals(existing.Md5Hash, Md5Base64(content.Span), StringComparison.Ordinal);
        }

        // No MD5 (a composite object): compare the bytes of that generation.
        using var request = new HttpRequestMessage(HttpMethod.Get, MediaUri(target, existing.Generation));
        using var response = await Send(request, target.ToString(), cancellation);
        return response.IsSuccessStatusCode && (await ReadBody(response, target.ToString(), cancellation)).AsSpan().SequenceEqual(content.Span);
    }

    private static bool SameHash(ObjectInfo a, ObjectInfo b) =>
        a.Stored.Size == b.Stored.Size
        && ((a.Md5Hash is not null && string.Equals(a.Md5Hash, b.Md5Hash, StringComparison.Ordinal))
            || (a.Md5Hash is null && a.Crc32c is not null && string.Equals(a.Crc32c, b.Crc32c, StringComparison.Ordinal)));

#pragma warning disable CA5351 // MD5 is Cloud Storage's integrity checksum (md5Hash), not a security measure.
    private static string Md5Base64(ReadOnlySpan<byte> content) => Convert.ToBase64String(MD5.HashData(content));
#pragma warning restore CA5351

    /// <summary>
    /// Whether an earlier attempt of this request may have landed unseen: as the <see cref="RetryHandler"/> recorded it,
    /// or, behind another retrying handler that records only attempts, whenever it was retried.
    /// </summary>
    private static bool MayHaveLanded(HttpRequestMessage request) =>
        request.Options.TryGetValue(RetryHandler.EarlierAttemptMayHaveLanded, out var landed)
            ? landed
            : request.Options.TryGetValue(RetryHandler.Attempts, out var attempts) && attempts > 1;

    /// <summary>Sends; transport failures and timeouts become StorageException status 0. Never reports headers.</summary>
    private async Task<HttpResponseMessage> Send(HttpRequestMessage request, string url, CancellationToken cancellation)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        }
        catch (HttpRequestException e)
        {
            throw new StorageException(url, 0, $"{Operation(request)}: transport failure: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new StorageException(url, 0, $"{Operation(request)}: transport failure: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new StorageException(url, 0, $"{Operation(request)}: timed out", e);
        }
    }

    private async Task<JsonDocument> SendJson(HttpRequestMessage request, string url, CancellationToken cancellation)
    {
        using var response = await Send(request, url, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorFrom(response, url, cancellation);
        }

        return await ParseJson(response, url, cancellation);
    }

    private static async Task<JsonDocument> ParseJson(HttpResponseMessage response, string url, CancellationToken cancellation)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            var document = await JsonDocument.ParseAsync(body, default, cancellation);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw Invalid(url, "the body is not a JSON object");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw Invalid(url, "the body is not valid JSON: " + e.Message, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
                                  || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            throw new StorageException(url, 0, $"transport failure while reading the response: {e.Message}", e);
        }
    }

    private static async Task<byte[]> ReadBody(HttpResponseMessage response, string url, CancellationToken cancellation)
    {
        try
        {
            return await response.Content.ReadAsByteArrayAsync(cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
                                  || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            throw new StorageException(url, 0, $"transport failure while reading the object: {e.Message}", e);
        }
    }

    /// <summary>An object resource; its URL keeps the scheme and bucket of the request (<paramref name="requested"/>).</summary>
    private static StoredObject ReadObject(JsonElement item, StorageUrl requested, string context)
    {
        var name = OptionalString(item, "name") ?? throw Invalid(context, "an object has no name");
        var url = $"{requested.Scheme}://{requested.Bucket}/{name}";
        var created = Time(item, "timeCreated", context);
        var updated = item.TryGetProperty("updated", out _) ? Time(item, "updated", context) : created;
        return new StoredObject(url, name[(name.LastIndexOf('/') + 1)..], Int64(item, "generation", context), Int64(item, "size", context), created, updated);
    }

    private static string? OptionalString(JsonElement item, string property) =>
        item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // int64 values arrive as JSON strings; a JSON number is accepted too.
    private static long Int64(JsonElement item, string property, string context)
    {
        if (item.TryGetProperty(property, out var value))
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
            {
                return number;
            }

            if (value.ValueKind == JsonValueKind.String
                && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }
        }

        throw Invalid(context, $"'{property}' is missing or not an int64");
    }

    private static DateTimeOffset Time(JsonElement item, string property, string context) =>
        OptionalString(item, property) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw Invalid(context, $"'{property}' is missing or not an RFC 3339 time");

    private static async Task<StorageException> ErrorFrom(HttpResponseMessage response, string url, CancellationToken cancellation)
    {
        var status = (int)response.StatusCode;
        string? body;
        try
        {
            body = await ReadLimited(response.Content, cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
                                  || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            body = null;
        }

        var (reason, message) = GoogleErrorParser.Parse(status, body);
        var operation = response.RequestMessage is { } request ? Operation(request) + ": " : "";
        return new StorageException(url, status, reason is null ? $"{operation}{status}: {message}" : $"{operation}{status} {reason}: {message}");
    }

    private static string Operation(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var kind = path.Contains("/rewriteTo/", StringComparison.Ordinal) ? "objects.rewrite"
            : path.StartsWith("/upload/", StringComparison.Ordinal) || path.Contains("/upload/storage/", StringComparison.Ordinal) ? "objects.insert"
            : request.Method == HttpMethod.Delete ? "objects.delete"
            : path.EndsWith("/o", StringComparison.Ordinal) ? "objects.list"
            : "objects.get";
        return kind;
    }

    private static async Task<string> ReadLimited(HttpContent content, CancellationToken cancellation)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellation);
        var buffer = new byte[ErrorBodyLimit];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellation)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static StorageUrl BucketUrl(string url)
    {
        var parsed = StorageUrl.ParseForStore(url);
        return parsed.Scheme == StorageUrl.FileScheme
            ? throw new StorageException(url, 400, "the Cloud Storage backend does not serve file URLs")
            : parsed;
    }

    private static StorageUrl ObjectUrl(string url)
    {
        var parsed = BucketUrl(url);
        return parsed.IsFolder ? throw new StorageException(url, 400, "an object URL must not end with '/'") : parsed;
    }

    private static StorageException Invalid(string url, string detail, Exception? inner = null) =>
        new(url, 502, $"invalid response: {detail}", inner);

    private sealed record ObjectInfo(StoredObject Stored, string? Md5Hash, string? Crc32c)
    {
        public long Generation => Stored.Generation;
    }
}
