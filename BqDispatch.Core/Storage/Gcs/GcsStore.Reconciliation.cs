using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Storage.Gcs;

// Telling a retried write that landed unseen from someone else's object.
public sealed partial class GcsStore
{
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
        var claim = root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            ? OptionalString(metadata, ClaimKey)
            : null;
        return new ObjectInfo(stored, OptionalString(root, "md5Hash"), OptionalString(root, "crc32c"), claim);
    }

    /// <summary>What a write that went unanswered may have left: the live object, else the newest soft-deleted one.</summary>
    private async Task<ObjectInfo?> Written(StorageUrl target, CancellationToken cancellation) =>
        await Stat(target, cancellation) ?? await NewestDeleted(target, cancellation);

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

        // No MD5 (a composite object): compare the bytes of that generation (a soft-deleted one cannot be read: not ours).
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

    /// <summary>The statuses after which a write may have been performed although it was not reported (500, 502, 504).</summary>
    private static bool MayHaveLanded(HttpStatusCode status) =>
        status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// Whether an earlier attempt of this request may have landed unseen: as the <see cref="RetryHandler"/> recorded it,
    /// or, behind another retrying handler that records only attempts, whenever it was retried.
    /// </summary>
    private static bool MayHaveLanded(HttpRequestMessage request) =>
        request.Options.TryGetValue(RetryHandler.EarlierAttemptMayHaveLanded, out var landed)
            ? landed
            : request.Options.TryGetValue(RetryHandler.Attempts, out var attempts) && attempts > 1;
}
