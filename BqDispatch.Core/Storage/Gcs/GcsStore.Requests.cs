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

        if (range.EndsWith is not null)
        {
            // One '*' matches within the level, not across '/': objects of this folder only.
            url.Append("&matchGlob=").Append(Uri.EscapeDataString(folder.Path + "*" + range.EndsWith));
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

        // Create-only: ifGenerationMatch=0 makes a repeat harmless (412, reconciled by the caller), but an attempt that
        // may have landed is not repeated blindly: its object may have been consumed and deleted meanwhile (Create looks).
        // Put: a full overwrite with the same bytes leaves the same content whether it runs once or twice
        // (only the generation differs), and it is used only for journal files that are rewritten anyway.
        request.Options.Set(RetryHandler.Idempotent, true);
        request.Options.Set(RetryHandler.LookBeforeRepeat, createOnly);
        return request;
    }

    /// <summary>One create-only upload: done, refused (412), or unanswered; other failures throw. Also whether it was retried.</summary>
    private async Task<(WriteAnswer Answer, bool Retried)> Upload(StorageUrl target, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        var url = target.ToString();
        using var request = UploadRequest(target, content, createOnly: true);
        try
        {
            using var response = await Send(request, url, cancellation);
            if (response.IsSuccessStatusCode)
            {
                return (WriteAnswer.Done, MayHaveLanded(request));
            }

            if (response.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return (WriteAnswer.Refused, MayHaveLanded(request));
            }

            if (MayHaveLanded(response.StatusCode))
            {
                return (WriteAnswer.Unanswered, true);
            }

            throw await ErrorFrom(response, url, cancellation);
        }
        catch (StorageException e) when (e.Status == 0)
        {
            return (WriteAnswer.Unanswered, true);
        }
    }

    /// <summary>
    /// The rewrite loop: done, refused (404 or 412), or unanswered (no response, or a 500/502/504, at any round); other
    /// failures throw. Also whether its final call was retried after an attempt that may have landed.
    /// </summary>
    private async Task<(WriteAnswer Answer, bool Retried)> Rewrite(
        StorageUrl source, long sourceGeneration, long? sourceMetageneration, StorageUrl destination, CancellationToken cancellation)
    {
        var generation = sourceGeneration.ToString(CultureInfo.InvariantCulture);
        var metageneration = sourceMetageneration is { } pinned
            ? "&ifSourceMetagenerationMatch=" + pinned.ToString(CultureInfo.InvariantCulture)
            : "";
        var first = $"{ObjectPath(source)}/rewriteTo/b/{Uri.EscapeDataString(destination.Bucket)}/o/{Uri.EscapeDataString(destination.Path)}"
                    + $"?ifGenerationMatch=0&sourceGeneration={generation}&ifSourceGenerationMatch={generation}{metageneration}"
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

            // ifGenerationMatch=0 on the destination makes every round safe to repeat, but not blindly once an attempt
            // may have created the destination: the caller looks first (see CopyIfAbsent).
            request.Options.Set(RetryHandler.Idempotent, true);
            request.Options.Set(RetryHandler.LookBeforeRepeat, true);
            JsonDocument document;
            try
            {
                using var response = await Send(request, url, cancellation);
                if (response.StatusCode is HttpStatusCode.NotFound)
                {
                    return (WriteAnswer.Missing, MayHaveLanded(request));
                }

                if (response.StatusCode is HttpStatusCode.PreconditionFailed)
                {
                    return (WriteAnswer.Refused, MayHaveLanded(request));
                }

                if (MayHaveLanded(response.StatusCode))
                {
                    return (WriteAnswer.Unanswered, true);
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw await ErrorFrom(response, url, cancellation);
                }

                document = await ParseJson(response, url, cancellation);
            }
            catch (StorageException e) when (e.Status == 0)
            {
                return (WriteAnswer.Unanswered, true);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.True)
                {
                    return (WriteAnswer.Done, MayHaveLanded(request));
                }

                token = root.TryGetProperty("rewriteToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
                if (string.IsNullOrEmpty(token) || !seenTokens.Add(token))
                {
                    throw Invalid(url, "a rewrite that is not done gave no new rewriteToken");
                }
            }
        }
    }

    /// <summary>How a create or copy attempt ended, as far as its caller could tell.</summary>
    private enum WriteAnswer
    {
        /// <summary>Answered: written.</summary>
        Done,

        /// <summary>Answered 412: a precondition did not hold.</summary>
        Refused,

        /// <summary>Answered 404: the source or the bucket is missing.</summary>
        Missing,

        /// <summary>No answer, or a 500/502/504: it may or may not have been written.</summary>
        Unanswered,
    }
}
