using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Storage.Gcs;

// Sending, reading responses, Google error bodies, and the JSON fields of objects.
public sealed partial class GcsStore
{
    /// <summary>
    /// Sends and reads the whole response (headers and body), so the client's timeout and the retry handler's attempt
    /// timeout bound it; transport failures and timeouts become StorageException status 0. Never reports headers.
    /// </summary>
    private async Task<HttpResponseMessage> Send(HttpRequestMessage request, string url, CancellationToken cancellation)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellation);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            throw Invalid(url, $"{Operation(request)}: {e.Message}", e);
        }
        catch (GoogleTokenException e)
        {
            throw new StorageException(url, 401, $"{Operation(request)}: {e.Message}");
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
        if (response.Content.Headers.ContentType?.MediaType is { } media && !media.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(url, $"the body is {media}, not JSON");
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            var document = await JsonDocument.ParseAsync(body, default, cancellation);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw Invalid(url, "the body is not a JSON object");
            }

            // A proxy or a broken front end may answer 200 with Google's error envelope: that is no result.
            if (document.RootElement.TryGetProperty("error", out _))
            {
                var (_, message) = GoogleErrorParser.Parse((int)response.StatusCode, document.RootElement.GetRawText());
                document.Dispose();
                throw Invalid(url, "a 2xx answer carries an error: " + message);
            }

            return document;
        }
        catch (JsonException e)
        {
            throw Invalid(url, "the body cannot be read: " + e.Message, e);
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

    /// <summary>One objects.list page: its objects in name order (a placeholder named like the folder is not its child), its sub-folders, and the next page token.</summary>
    private async Task<(Listing Page, string? NextPageToken)> ReadListPage(HttpRequestMessage request, StorageUrl folder, CancellationToken cancellation)
    {
        var folderText = folder.ToString();
        using var document = await SendJson(request, folderText, cancellation);
        var root = document.RootElement;
        var objects = new List<StoredObject>();
        var folders = new List<string>();
        if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                var info = ReadObject(item, folder, folderText);
                if (info.Url.Length > folderText.Length)
                {
                    objects.Add(info);
                }
            }
        }

        if (root.TryGetProperty("prefixes", out var prefixes) && prefixes.ValueKind == JsonValueKind.Array)
        {
            foreach (var prefix in prefixes.EnumerateArray())
            {
                var name = prefix.GetString() ?? throw Invalid(folderText, "a prefix is not a string");
                if (!name.StartsWith(folder.Path, StringComparison.Ordinal))
                {
                    throw Invalid(folderText, $"prefix '{name}' is outside the listed folder");
                }

                folders.Add(folder.Child(name[folder.Path.Length..]).ToString());
            }
        }

        var next = root.TryGetProperty("nextPageToken", out var token) && token.ValueKind == JsonValueKind.String
            && token.GetString() is { Length: > 0 } text ? text : null;
        return (new Listing(objects, folders), next);
    }

    /// <summary>An object resource; its URL keeps the scheme and bucket of the request (<paramref name="requested"/>).</summary>
    private static StoredObject ReadObject(JsonElement item, StorageUrl requested, string context)
    {
        var name = OptionalString(item, "name") ?? throw Invalid(context, "an object has no name");
        var url = $"{requested.Scheme}://{requested.Bucket}/{name}";
        var created = Time(item, "timeCreated", context);
        var updated = item.TryGetProperty("updated", out _) ? Time(item, "updated", context) : created;
        var metageneration = item.TryGetProperty("metageneration", out _) ? Int64(item, "metageneration", context) : 1;
        return new StoredObject(
            url, name[(name.LastIndexOf('/') + 1)..], Int64(item, "generation", context), Int64(item, "size", context), created, updated, metageneration);
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

    private static DateTimeOffset Time(JsonElement item, string property, string context)
    {
        // Cloud Storage writes UTC ("…Z"): read it without making a string, since a listing reads two per object.
        if (item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && JsonMarshal.GetRawUtf8Value(value).EndsWith("Z\""u8) && value.TryGetDateTimeOffset(out var utc))
        {
            return utc.ToUniversalTime();
        }

        // Anything else goes through the general parse, which takes a time without an offset as UTC.
        return OptionalString(item, property) is { } text
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw Invalid(context, $"'{property}' is missing or not an RFC 3339 time");
    }

    private static async Task<StorageException> ErrorFrom(HttpResponseMessage response, string url, CancellationToken cancellation)
    {
        var (status, reason, message) = await GoogleErrorParser.Read(response, cancellation);
        var operation = response.RequestMessage is { } request ? Operation(request) + ": " : "";
        return new StorageException(url, status, reason is null ? $"{operation}{status}: {message}" : $"{operation}{status} {reason}: {message}");
    }

    private static string Operation(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var kind = path.Contains("/rewriteTo/", StringComparison.Ordinal) ? "objects.rewrite"
            : path.StartsWith("/upload/", StringComparison.Ordinal) || path.Contains("/upload/storage/", StringComparison.Ordinal) ? "objects.insert"
            : request.Method == HttpMethod.Delete ? "objects.delete"
            : request.Method == HttpMethod.Patch ? "objects.patch"
            : path.EndsWith("/o", StringComparison.Ordinal) ? "objects.list"
            : "objects.get";
        return kind;
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

    /// <param name="ClaimToken">The value of the claim metadata key (<see cref="ClaimKey"/>), when the object carries one.</param>
    private sealed record ObjectInfo(StoredObject Stored, string? Md5Hash, string? Crc32c, string? ClaimToken = null)
    {
        public long Generation => Stored.Generation;
    }
}
