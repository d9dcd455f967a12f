using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BqDispatch.Core.Storage.Gcs;

// Soft delete: a bucket with a soft delete policy keeps deleted objects for its retention (7 days by default), listed
// by objects.list with softDeleted=true. That is what tells "never written" from "written and consumed since".
public sealed partial class GcsStore
{
    /// <summary>Partial-response mask of the soft-deleted listing.</summary>
    public const string SoftDeletedFieldsMask = "nextPageToken,items(name,generation,size,timeCreated,updated,md5Hash,crc32c)";

    /// <summary>
    /// The newest soft-deleted generation of exactly this object, or null: none, the retention has passed, or the bucket
    /// has no soft delete policy. One call unless other names share the prefix beyond a page.
    /// </summary>
    private async Task<ObjectInfo?> NewestDeleted(StorageUrl target, CancellationToken cancellation)
    {
        var url = target.ToString();
        ObjectInfo? newest = null;
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? pageToken = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, SoftDeletedUri(target, pageToken));
            using var document = await SendJson(request, url, cancellation);
            var root = document.RootElement;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray().Where(i => OptionalString(i, "name") == target.Path))
                {
                    var info = new ObjectInfo(ReadObject(item, target, url), OptionalString(item, "md5Hash"), OptionalString(item, "crc32c"));
                    if (newest is null || info.Generation > newest.Generation)
                    {
                        newest = info;
                    }
                }
            }

            pageToken = root.TryGetProperty("nextPageToken", out var next) && next.ValueKind == JsonValueKind.String
                && next.GetString() is { Length: > 0 } token ? token : null;
            if (pageToken is not null && !seenTokens.Add(pageToken))
            {
                throw Invalid(url, "a page of soft-deleted objects repeated an earlier nextPageToken");
            }
        }
        while (pageToken is not null);

        return newest;
    }

    private Uri SoftDeletedUri(StorageUrl target, string? pageToken)
    {
        var url = new StringBuilder(BaseUrl.AbsoluteUri)
            .Append("storage/v1/b/").Append(Uri.EscapeDataString(target.Bucket)).Append("/o")
            .Append("?prefix=").Append(Uri.EscapeDataString(target.Path))
            .Append("&softDeleted=true")
            .Append("&maxResults=").Append(PageSize.ToString(CultureInfo.InvariantCulture))
            .Append("&fields=").Append(Uri.EscapeDataString(SoftDeletedFieldsMask))
            .Append("&prettyPrint=false");
        if (pageToken is not null)
        {
            url.Append("&pageToken=").Append(Uri.EscapeDataString(pageToken));
        }

        return new Uri(url.ToString());
    }
}
