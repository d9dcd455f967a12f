using System.Globalization;
using System.Text.Json;

namespace BqDispatch.Emulators.Storage;

/// <summary>The JSON the emulator sends: object resources, lists, rewrite responses and Google errors (int64 as strings).</summary>
internal static class StorageJson
{
    public static byte[] Object(EmulatedObject info, string root, FieldMask mask) => Write(json => WriteObject(json, info, root, mask));

    public static byte[] List(ListPage page, string? nextPageToken, string root, FieldMask mask) => Write(json =>
    {
        json.WriteStartObject();
        if (mask.Includes("kind"))
        {
            json.WriteString("kind", "storage#objects");
        }

        if (nextPageToken is not null && mask.Includes("nextPageToken"))
        {
            json.WriteString("nextPageToken", nextPageToken);
        }

        if (page.Prefixes.Count > 0 && mask.Includes("prefixes"))
        {
            json.WriteStartArray("prefixes");
            foreach (var prefix in page.Prefixes)
            {
                json.WriteStringValue(prefix);
            }

            json.WriteEndArray();
        }

        // Like the service, "items" is absent when there are none.
        if (page.Items.Count > 0 && mask.Includes("items"))
        {
            json.WriteStartArray("items");
            foreach (var item in page.Items)
            {
                WriteObject(json, item, root, mask.Of("items"));
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    });

    public static byte[] Rewrite(RewriteResult result, string? token, string root, FieldMask mask) => Write(json =>
    {
        json.WriteStartObject();
        Put(json, mask, "kind", "storage#rewriteResponse");
        Put(json, mask, "totalBytesRewritten", Int64(result.TotalBytesRewritten));
        Put(json, mask, "objectSize", Int64(result.ObjectSize));
        if (mask.Includes("done"))
        {
            json.WriteBoolean("done", result.Done);
        }

        if (token is not null)
        {
            Put(json, mask, "rewriteToken", token);
        }

        if (result.Resource is { } resource && mask.Includes("resource"))
        {
            json.WritePropertyName("resource");
            WriteObject(json, resource, root, mask.Of("resource"));
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

    // Only the fields the mask selects are made: the links and ids cost more than the rest together.
    private static void WriteObject(Utf8JsonWriter json, EmulatedObject info, string root, FieldMask mask)
    {
        string Path() => $"b/{Uri.EscapeDataString(info.Bucket)}/o/{Uri.EscapeDataString(info.Name)}";
        json.WriteStartObject();
        Put(json, mask, "kind", () => "storage#object");
        Put(json, mask, "id", () => $"{info.Bucket}/{info.Name}/{Int64(info.Generation)}");
        Put(json, mask, "selfLink", () => $"{root}storage/v1/{Path()}");
        Put(json, mask, "mediaLink", () => $"{root}download/storage/v1/{Path()}?generation={Int64(info.Generation)}&alt=media");
        Put(json, mask, "name", info.Name);
        Put(json, mask, "bucket", info.Bucket);
        Put(json, mask, "generation", () => Int64(info.Generation));
        Put(json, mask, "metageneration", () => Int64(info.Metageneration));
        Put(json, mask, "contentType", info.ContentType);
        Put(json, mask, "storageClass", "STANDARD");
        Put(json, mask, "size", () => Int64(info.Size));
        Put(json, mask, "md5Hash", info.Md5Hash);
        Put(json, mask, "crc32c", info.Crc32c);
        Put(json, mask, "etag", () => Etag(info));
        Put(json, mask, "timeCreated", () => Time(info.Created));
        Put(json, mask, "updated", () => Time(info.Updated));
        if (mask.Includes("metadata") && info.Metadata is { Count: > 0 } metadata)
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
            Put(json, mask, "softDeleteTime", () => Time(softDeleted));
        }

        if (info.HardDeleted is { } hardDeleted)
        {
            Put(json, mask, "hardDeleteTime", () => Time(hardDeleted));
        }

        json.WriteEndObject();
    }

    private static void Put(Utf8JsonWriter json, FieldMask mask, string name, string value)
    {
        if (mask.Includes(name))
        {
            json.WriteString(name, value);
        }
    }

    private static void Put(Utf8JsonWriter json, FieldMask mask, string name, Func<string> value)
    {
        if (mask.Includes(name))
        {
            json.WriteString(name, value());
        }
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
