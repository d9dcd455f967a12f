using System.Globalization;
using System.Text.Json;

namespace BqDispatch.Emulators.Storage;

/// <summary>The JSON the emulator sends: object resources, lists, rewrite responses and Google errors (int64 as strings).</summary>
internal static class StorageJson
{
    public static byte[] Object(EmulatedObject info, string root) => Write(json => WriteObject(json, info, root));

    public static byte[] List(ListPage page, string? nextPageToken, string root) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("kind", "storage#objects");
        if (nextPageToken is not null)
        {
            json.WriteString("nextPageToken", nextPageToken);
        }

        if (page.Prefixes.Count > 0)
        {
            json.WriteStartArray("prefixes");
            foreach (var prefix in page.Prefixes)
            {
                json.WriteStringValue(prefix);
            }

            json.WriteEndArray();
        }

        // Like the service, "items" is absent when there are none.
        if (page.Items.Count > 0)
        {
            json.WriteStartArray("items");
            foreach (var item in page.Items)
            {
                WriteObject(json, item, root);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    });

    public static byte[] Rewrite(RewriteResult result, string? token, string root) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("kind", "storage#rewriteResponse");
        json.WriteString("totalBytesRewritten", Int64(result.TotalBytesRewritten));
        json.WriteString("objectSize", Int64(result.ObjectSize));
        json.WriteBoolean("done", result.Done);
        if (token is not null)
        {
            json.WriteString("rewriteToken", token);
        }

        if (result.Resource is { } resource)
        {
            json.WritePropertyName("resource");
            WriteObject(json, resource, root);
        }

        json.WriteEndObject();
    });

    public static byte[] Error(int status, string reason, string message) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteNumber("code", status);
        json.WriteString("message", message);
        json.WriteStartArray("errors");
        json.WriteStartObject();
        json.WriteString("message", message);
        json.WriteString("domain", "global");
        json.WriteString("reason", reason);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    });

    /// <summary>The reason the service gives with <paramref name="status"/>.</summary>
    public static string Reason(int status) => status switch
    {
        400 => "invalid",
        401 => "required",
        403 => "forbidden",
        404 => "notFound",
        408 => "requestTimeout",
        409 => "conflict",
        410 => "gone",
        412 => "conditionNotMet",
        429 => "rateLimitExceeded",
        500 => "internalError",
        502 => "badGateway",
        503 => "backendError",
        504 => "gatewayTimeout",
        _ => "unknown",
    };

    public static string Int64(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteObject(Utf8JsonWriter json, EmulatedObject info, string root)
    {
        var path = $"b/{Uri.EscapeDataString(info.Bucket)}/o/{Uri.EscapeDataString(info.Name)}";
        json.WriteStartObject();
        json.WriteString("kind", "storage#object");
        json.WriteString("id", $"{info.Bucket}/{info.Name}/{Int64(info.Generation)}");
        json.WriteString("selfLink", $"{root}storage/v1/{path}");
        json.WriteString("mediaLink", $"{root}download/storage/v1/{path}?generation={Int64(info.Generation)}&alt=media");
        json.WriteString("name", info.Name);
        json.WriteString("bucket", info.Bucket);
        json.WriteString("generation", Int64(info.Generation));
        json.WriteString("metageneration", Int64(info.Metageneration));
        json.WriteString("contentType", info.ContentType);
        json.WriteString("storageClass", "STANDARD");
        json.WriteString("size", Int64(info.Size));
        json.WriteString("md5Hash", info.Md5Hash);
        json.WriteString("crc32c", info.Crc32c);
        json.WriteString("etag", Etag(info));
        json.WriteString("timeCreated", Time(info.Created));
        json.WriteString("updated", Time(info.Updated));
        if (info.Metadata is { Count: > 0 } metadata)
        {
            json.WriteStartObject("metadata");
            foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        if (info.SoftDeleted is { } softDeleted)
        {
            json.WriteString("softDeleteTime", Time(softDeleted));
        }

        if (info.HardDeleted is { } hardDeleted)
        {
            json.WriteString("hardDeleteTime", Time(hardDeleted));
        }

        json.WriteEndObject();
    }

    public static string Etag(EmulatedObject info) => $"{Int64(info.Generation)}/{Int64(info.Metageneration)}";

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return buffer.ToArray();
    }
}
