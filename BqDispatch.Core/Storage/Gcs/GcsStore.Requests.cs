using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Storage.Gcs;

// How each Cloud Storage call is put on the wire: URLs, uploads, the rewrite token loop.
public sealed partial class GcsStore
{
    private Uri ListUri(StorageUrl folder, NameRange range, string? pageToken)
    {
        var url = new StringBuilder(BaseUrl.AbsoluteUri)
            .Append("storage/v1/b/").Append(Uri.EscapeDataString(folder.Bucket)).Append("/o")
            .Append("?prefix=").Append(Uri.EscapeDataString(folder.Path))
            .Append("&delimiter=%2F")
            .Append("&maxResults=").Append(PageSize.ToString(CultureInfo.InvariantCulture))
            .Append("&fields=").Append(Uri.EscapeDataString(ListFieldsMask))
            .Append("&prettyPrint=false");
        if (range.From is not null)
        {
            url.Append("&startOffset=").Append(Uri.EscapeDataString(folder.Path + range.From));
        }

        if (range.To is not null)
        {
            url.Append("&endOffset=").Append(Uri.EscapeDataString(folder.Path + range.To));
        }

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
}
