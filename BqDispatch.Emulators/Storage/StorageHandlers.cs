using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BqDispatch.Emulators.Storage;

/// <summary>Routes requests by their raw (still percent-encoded) path and answers the objects.* calls.</summary>
internal sealed class StorageHandlers(
    ObjectTable table,
    StorageFaultPlan faults,
    StorageRequestLog log,
    CloudStorageEmulatorOptions options,
    Func<TimeSpan> latency,
    Func<Action<StorageEmulatorRequest>?> beforeAnswer)
{
    private const string JsonContentType = "application/json; charset=UTF-8";
    private const long MiB = 1024 * 1024;

    public async Task Handle(HttpContext context)
    {
        var target = Parse(context);
        log.Count(target.Route);
        var exchange = new Exchange(context, status => Record(status), status => beforeAnswer()?.Invoke(Describe(status)));
        try
        {
            var delay = latency();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            if (target.Route != StorageRoutes.Other && faults.Take(target.Route) is { } fault)
            {
                switch (fault.Kind)
                {
                    case FaultKind.Drop:
                        exchange.Drop();
                        return;
                    case FaultKind.Fail:
                        await exchange.Send(fault.Status, JsonContentType, fault.Body);
                        return;
                    default:
                        exchange.DropAfterCommit = true;
                        break;
                }
            }

            try
            {
                await Answer(exchange, target);
            }
            catch (StorageError e)
            {
                await exchange.Send(e.Status, JsonContentType, StorageJson.Error(e.Status, e.Reason, e.Message));
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            exchange.Status = 0;
        }
        finally
        {
            // Answers are logged before their body is written (Exchange.Send); this catches drops and aborts.
            if (!exchange.Logged)
            {
                Record(exchange.Status);
            }
        }

        void Record(int status) => log.Add(Describe(status));

        StorageEmulatorRequest Describe(int status) => new(
            target.Route,
            context.Request.Method,
            target.Bucket,
            target.Name ?? (target.Route == StorageRoutes.Upload ? UploadNameFromQuery(context) : null),
            target.RawPath,
            context.Request.QueryString.Value ?? "",
            status);
    }

    private Task Answer(Exchange exchange, Target target) => target.Route switch
    {
        StorageRoutes.List => List(exchange, target.Bucket!),
        StorageRoutes.Get => Get(exchange, target.Bucket!, target.Name!),
        StorageRoutes.Media => Media(exchange, target.Bucket!, target.Name!),
        StorageRoutes.Upload => Upload(exchange, target.Bucket!),
        StorageRoutes.Patch => Patch(exchange, target.Bucket!, target.Name!),
        StorageRoutes.Rewrite => Rewrite(exchange, target),
        StorageRoutes.Delete => Delete(exchange, target.Bucket!, target.Name!),
        _ when target.KnownShape =>
            throw new StorageError(405, "methodNotAllowed", $"Method {exchange.Context.Request.Method} is not supported here."),
        _ => throw new StorageError(404, "notFound", $"Not Found: {target.RawPath}"),
    };

    private async Task List(Exchange exchange, string bucket)
    {
        var query = exchange.Context.Request.Query;
        var prefix = query["prefix"].ToString();
        var delimiter = query["delimiter"].ToString();
        var pageSize = options.MaxPageSize;
        if (Int64(query, "maxResults") is { } requested)
        {
            if (requested < 0)
            {
                throw StorageError.Invalid($"Invalid value for maxResults: {requested}");
            }

            pageSize = requested == 0 ? pageSize : (int)Math.Min(requested, pageSize);
        }

        if (SoftDeleted(query))
        {
            await ListSoftDeleted(exchange, bucket, prefix, delimiter, pageSize);
            return;
        }

        string? cursor = null;
        var pageToken = query["pageToken"].ToString();
        if (pageToken.Length > 0 && (cursor = Token.Decode(pageToken, "list")) is null)
        {
            throw StorageError.Invalid("Invalid page token.");
        }

        var startOffset = query["startOffset"].ToString();
        var endOffset = query["endOffset"].ToString();
        var glob = query["matchGlob"].ToString();
        var page = table.List(bucket, new ListQuery(
            prefix,
            delimiter.Length == 0 ? null : delimiter,
            pageSize,
            cursor,
            startOffset.Length == 0 ? null : startOffset,
            endOffset.Length == 0 ? null : endOffset,
            glob.Length == 0 ? null : MatchGlob.Parse(glob)));
        var next = page.Cursor is null ? null : Token.Encode("list", page.Cursor);
        await exchange.Send(200, JsonContentType, StorageJson.List(page, next, Root(exchange), Fields(exchange)));
    }

    /// <summary>Every soft-deleted generation under the prefix, one item per generation (no delimiter: not emulated).</summary>
    private async Task ListSoftDeleted(Exchange exchange, string bucket, string prefix, string delimiter, int pageSize)
    {
        if (delimiter.Length > 0)
        {
            throw StorageError.Invalid("This emulator does not list soft-deleted objects with a delimiter.");
        }

        (string Name, long Generation)? cursor = null;
        var pageToken = exchange.Context.Request.Query["pageToken"].ToString();
        if (pageToken.Length > 0)
        {
            var decoded = Token.Decode(pageToken, "softDeleted");
            var split = decoded?.LastIndexOf('\n') ?? -1;
            if (split < 0 || !long.TryParse(decoded![(split + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
            {
                throw StorageError.Invalid("Invalid page token.");
            }

            cursor = (decoded[..split], generation);
        }

        var (items, last) = table.ListSoftDeleted(bucket, prefix, pageSize, cursor);
        var next = last is { } after ? Token.Encode("softDeleted", after.Name + "\n" + StorageJson.Int64(after.Generation)) : null;
        await exchange.Send(200, JsonContentType, StorageJson.List(new ListPage(items, [], null), next, Root(exchange), Fields(exchange)));
    }

    private async Task Get(Exchange exchange, string bucket, string name)
    {
        var query = exchange.Context.Request.Query;
        if (SoftDeleted(query))
        {
            // As in the service, a soft-deleted object is named by its generation.
            var generation = Int64(query, "generation") ?? throw StorageError.Invalid("generation is required with softDeleted=true.");
            var deleted = table.FindSoftDeleted(bucket, name, generation) ?? throw StorageError.NoObject(bucket, name);
            await exchange.Send(200, JsonContentType, StorageJson.Object(deleted, Root(exchange), Fields(exchange)));
            return;
        }

        var entry = Read(exchange, bucket, name);
        if (entry is null)
        {
            await exchange.Send(304, JsonContentType, []);
            return;
        }

        await exchange.Send(200, JsonContentType, StorageJson.Object(entry.Info, Root(exchange), Fields(exchange)));
    }

    private async Task Media(Exchange exchange, string bucket, string name)
    {
        if (SoftDeleted(exchange.Context.Request.Query))
        {
            throw StorageError.Invalid("A soft-deleted object must be restored before its data can be read.");
        }

        var entry = Read(exchange, bucket, name);
        if (entry is null)
        {
            await exchange.Send(304, JsonContentType, []);
            return;
        }

        var headers = exchange.Context.Response.Headers;
        headers["X-Goog-Generation"] = StorageJson.Int64(entry.Info.Generation);
        headers["X-Goog-Metageneration"] = StorageJson.Int64(entry.Info.Metageneration);
        headers["X-Goog-Hash"] = $"crc32c={entry.Info.Crc32c},md5={entry.Info.Md5Hash}";
        headers["X-Goog-Stored-Content-Length"] = StorageJson.Int64(entry.Info.Size);
        headers.ETag = $"\"{StorageJson.Etag(entry.Info)}\"";
        await exchange.Send(200, entry.Info.ContentType, entry.Content);
    }

    /// <summary>The object for a get; null when ifGenerationNotMatch fails (304, as for any conditional read).</summary>
    private Entry? Read(Exchange exchange, string bucket, string name)
    {
        var query = exchange.Context.Request.Query;
        var generation = Int64(query, "generation");
        var entry = table.Find(bucket, name);
        if (entry is null || (generation is { } g && entry.Info.Generation != g))
        {
            throw StorageError.NoObject(bucket, name);
        }

        if (Int64(query, "ifGenerationMatch") is { } match && entry.Info.Generation != match)
        {
            throw StorageError.Precondition();
        }

        return Int64(query, "ifGenerationNotMatch") is { } notMatch && entry.Info.Generation == notMatch ? null : entry;
    }

    private async Task Upload(Exchange exchange, string bucket)
    {
        var request = exchange.Context.Request;
        var uploadType = request.Query["uploadType"].ToString();
        string? name = UploadNameFromQuery(exchange.Context);
        byte[] content;
        string contentType;
        switch (uploadType)
        {
            case "media":
                content = await ReadAll(request.Body, exchange.Context.RequestAborted);
                contentType = string.IsNullOrEmpty(request.ContentType) ? "application/octet-stream" : request.ContentType;
                break;
            case "multipart":
                (name, content, contentType) = await ReadMultipart(request, name, exchange.Context.RequestAborted);
                break;
            case "resumable":
                throw StorageError.Invalid("uploadType=resumable is not supported by this emulator.");
            default:
                throw StorageError.Invalid($"Invalid value for uploadType: \"{uploadType}\"");
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new StorageError(400, "required", "Required parameter: name");
        }

        var info = table.Insert(bucket, name, content, contentType, Conditions(request.Query, ""));
        await exchange.Send(200, JsonContentType, StorageJson.Object(info, Root(exchange), Fields(exchange)));
    }

    private async Task Rewrite(Exchange exchange, Target target)
    {
        var query = exchange.Context.Request.Query;
        var chunk = options.RewriteChunkBytes > 0 ? options.RewriteChunkBytes : long.MaxValue;
        if (Int64(query, "maxBytesRewrittenPerCall") is { } perCall)
        {
            if (perCall <= 0 || perCall % MiB != 0)
            {
                throw StorageError.Invalid("maxBytesRewrittenPerCall must be a positive multiple of 1048576.");
            }

            chunk = Math.Min(chunk, perCall);
        }

        var sourceGeneration = Int64(query, "sourceGeneration");
        var identity = string.Join('\n', target.Bucket, target.Name, target.DestinationBucket, target.DestinationName,
            sourceGeneration?.ToString(CultureInfo.InvariantCulture) ?? "");
        long done = 0;
        var token = query["rewriteToken"].ToString();
        if (token.Length > 0)
        {
            // A token carries the progress and the call it belongs to; the parameters must not change between rounds.
            var decoded = Token.Decode(token, "rewrite");
            var split = decoded?.LastIndexOf('\n') ?? -1;
            if (split < 0 || decoded![..split] != identity
                || !long.TryParse(decoded[(split + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out done))
            {
                throw StorageError.Invalid("The rewrite token does not belong to this rewrite.");
            }
        }

        var result = table.Rewrite(new RewriteCall(
            target.Bucket!,
            target.Name!,
            sourceGeneration,
            Conditions(query, "Source"),
            target.DestinationBucket!,
            target.DestinationName!,
            Conditions(query, ""),
            done,
            chunk));
        var next = result.Done ? null : Token.Encode("rewrite", identity + "\n" + StorageJson.Int64(result.TotalBytesRewritten));
        await exchange.Send(200, JsonContentType, StorageJson.Rewrite(result, next, Root(exchange), Fields(exchange)));
    }

    /// <summary>objects.patch: only the custom metadata of the body is applied (other fields are not emulated).</summary>
    private async Task Patch(Exchange exchange, string bucket, string name)
    {
        var metadata = new Dictionary<string, string?>(StringComparer.Ordinal);
        var body = await ReadAll(exchange.Context.Request.Body, exchange.Context.RequestAborted);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw StorageError.Invalid("The body is not a JSON object.");
            }

            if (document.RootElement.TryGetProperty("metadata", out var given) && given.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in given.EnumerateObject())
                {
                    metadata[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.ToString();
                }
            }
        }
        catch (JsonException e)
        {
            throw StorageError.Invalid("The body is not valid JSON: " + e.Message);
        }

        var info = table.Patch(bucket, name, metadata, Conditions(exchange.Context.Request.Query, ""));
        await exchange.Send(200, JsonContentType, StorageJson.Object(info, Root(exchange), Fields(exchange)));
    }

    private async Task Delete(Exchange exchange, string bucket, string name)
    {
        var query = exchange.Context.Request.Query;
        table.Delete(bucket, name, Int64(query, "generation"), Conditions(query, ""));
        await exchange.Send(204, "", []);
    }

    private static bool SoftDeleted(IQueryCollection query) =>
        query["softDeleted"].ToString() switch
        {
            "" or "false" => false,
            "true" => true,
            var text => throw StorageError.Invalid($"Invalid value for softDeleted: \"{text}\""),
        };

    private static FieldMask Fields(Exchange exchange)
    {
        var fields = exchange.Context.Request.Query["fields"].ToString();
        try
        {
            return FieldMask.Parse(fields);
        }
        catch (FormatException e)
        {
            throw StorageError.Invalid($"Invalid field selection {fields}: {e.Message}");
        }
    }

    private static Conditions Conditions(IQueryCollection query, string infix) =>
        new(Int64(query, $"if{infix}GenerationMatch"), Int64(query, $"if{infix}GenerationNotMatch"), Int64(query, $"if{infix}MetagenerationMatch"));

    private static long? Int64(IQueryCollection query, string key)
    {
        var text = query[key].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw StorageError.Invalid($"Invalid value for {key}: \"{text}\"");
    }

    private static string? UploadNameFromQuery(HttpContext context) =>
        context.Request.Query["name"].ToString() is { Length: > 0 } name ? name : null;

    private static async Task<(string? Name, byte[] Content, string ContentType)> ReadMultipart(
        HttpRequest request, string? name, CancellationToken cancellation)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary) is not { Length: > 0 } boundary)
        {
            throw StorageError.Invalid("A multipart upload needs Content-Type: multipart/related; boundary=…");
        }

        var reader = new MultipartReader(boundary.ToString(), request.Body);
        // Sections are read in order: a section's body must be read before the next one is asked for.
        var metadataPart = await reader.ReadNextSectionAsync(cancellation);
        var metadataBytes = metadataPart is null ? [] : await ReadAll(metadataPart.Body, cancellation);
        var mediaPart = metadataPart is null ? null : await reader.ReadNextSectionAsync(cancellation);
        if (metadataPart is null || mediaPart is null)
        {
            throw StorageError.Invalid("A multipart upload needs a metadata part and a media part.");
        }

        var contentType = mediaPart.ContentType is { Length: > 0 } media ? media : "application/octet-stream";
        try
        {
            using var metadata = JsonDocument.Parse(metadataBytes);
            if (metadata.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw StorageError.Invalid("The metadata part is not a JSON object.");
            }

            if (metadata.RootElement.TryGetProperty("name", out var named) && named.ValueKind == JsonValueKind.String)
            {
                name = named.GetString();
            }

            if (metadata.RootElement.TryGetProperty("contentType", out var declared) && declared.ValueKind == JsonValueKind.String)
            {
                contentType = declared.GetString()!;
            }
        }
        catch (JsonException e)
        {
            throw StorageError.Invalid("The metadata part is not valid JSON: " + e.Message);
        }

        return (name, await ReadAll(mediaPart.Body, cancellation), contentType);
    }

    private static async Task<byte[]> ReadAll(Stream body, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellation);
        return buffer.ToArray();
    }

    private static string Root(Exchange exchange) => $"{exchange.Context.Request.Scheme}://{exchange.Context.Request.Host}/";

    /// <summary>
    /// Splits the raw path on '/', so only an encoded %2F can be part of a name: an object path with a raw '/' has
    /// the wrong number of segments and is answered 404 (the service would look for another resource).
    /// </summary>
    private static Target Parse(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var queryStart = raw.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart >= 0 ? raw[..queryStart] : raw;
        var s = path.Split('/');
        var method = context.Request.Method;
        static string? Decode(string segment) => segment.Length == 0 ? null : Uri.UnescapeDataString(segment);

        // "", "storage", "v1", "b", {b}, "o"[, {o}[, "rewriteTo", "b", {b2}, "o", {o2}]]
        if (s.Length >= 6 && s[0].Length == 0 && s[1] == "storage" && s[2] == "v1" && s[3] == "b" && s[4].Length > 0 && s[5] == "o")
        {
            var bucket = Decode(s[4]);
            if (s.Length == 6)
            {
                return new Target(HttpMethods.IsGet(method) ? StorageRoutes.List : StorageRoutes.Other, path, bucket, null, true);
            }

            var name = Decode(s[6]);
            if (s.Length == 7 && name is not null)
            {
                var route = HttpMethods.IsGet(method)
                    ? (context.Request.Query["alt"] == "media" ? StorageRoutes.Media : StorageRoutes.Get)
                    : HttpMethods.IsDelete(method) ? StorageRoutes.Delete
                    : HttpMethods.IsPatch(method) ? StorageRoutes.Patch
                    : StorageRoutes.Other;
                return new Target(route, path, bucket, name, true);
            }

            if (s.Length == 12 && name is not null && s[7] == "rewriteTo" && s[8] == "b" && s[9].Length > 0 && s[10] == "o"
                && Decode(s[11]) is { } destination)
            {
                return new Target(HttpMethods.IsPost(method) ? StorageRoutes.Rewrite : StorageRoutes.Other, path, bucket, name, true)
                {
                    DestinationBucket = Decode(s[9]),
                    DestinationName = destination,
                };
            }
        }

        // "", "upload", "storage", "v1", "b", {b}, "o"
        if (s.Length == 7 && s[0].Length == 0 && s[1] == "upload" && s[2] == "storage" && s[3] == "v1" && s[4] == "b" && s[5].Length > 0 && s[6] == "o")
        {
            return new Target(HttpMethods.IsPost(method) ? StorageRoutes.Upload : StorageRoutes.Other, path, Decode(s[5]), null, true);
        }

        // "", "download", "storage", "v1", "b", {b}, "o", {o}
        if (s.Length == 8 && s[0].Length == 0 && s[1] == "download" && s[2] == "storage" && s[3] == "v1" && s[4] == "b" && s[5].Length > 0
            && s[6] == "o" && Decode(s[7]) is { } downloaded)
        {
            return new Target(HttpMethods.IsGet(method) ? StorageRoutes.Media : StorageRoutes.Other, path, Decode(s[5]), downloaded, true);
        }

        return new Target(StorageRoutes.Other, path, null, null, false);
    }

    private sealed record Target(string Route, string RawPath, string? Bucket, string? Name, bool KnownShape)
    {
        public string? DestinationBucket { get; init; }

        public string? DestinationName { get; init; }
    }

    /// <summary>One request being answered; remembers the status sent and whether to drop instead of answering.</summary>
    private sealed class Exchange(HttpContext context, Action<int> record, Action<int> answering)
    {
        public HttpContext Context { get; } = context;

        /// <summary>True once the answer was logged: a client that has read it must find it in the log.</summary>
        public bool Logged { get; private set; }

        public bool DropAfterCommit { get; set; }

        public int Status { get; set; }

        /// <summary>Drops the connection, logged first: the client may send its next request as soon as it sees the drop.</summary>
        public void Drop()
        {
            Status = 0;
            record(0);
            Logged = true;
            Context.Abort();
        }

        public async Task Send(int status, string contentType, byte[] body)
        {
            answering(status);
            if (DropAfterCommit)
            {
                // The request took effect; the caller never hears about it.
                Drop();
                return;
            }

            Context.Response.StatusCode = status;
            if (contentType.Length > 0)
            {
                Context.Response.ContentType = contentType;
            }

            Context.Response.ContentLength = body.Length;
            Status = status;
            record(status);
            Logged = true;
            if (body.Length > 0)
            {
                await Context.Response.Body.WriteAsync(body, Context.RequestAborted);
            }

            Status = status;
        }
    }

    /// <summary>Opaque tokens: base64url of "kind\n" + state, so a list token is not accepted as a rewrite token.</summary>
    private static class Token
    {
        public static string Encode(string kind, string state) =>
            Base64UrlTextEncoder.Encode(Encoding.UTF8.GetBytes(kind + "\n" + state));

        public static string? Decode(string token, string kind)
        {
            try
            {
                var text = Encoding.UTF8.GetString(Base64UrlTextEncoder.Decode(token));
                return text.StartsWith(kind + "\n", StringComparison.Ordinal) ? text[(kind.Length + 1)..] : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
