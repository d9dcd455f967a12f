using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BqDispatch.Emulators.Storage;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>Wire fidelity of the Cloud Storage emulator, with raw HTTP requests.</summary>
public sealed class CloudStorageEmulatorTests : IAsyncLifetime
{
    private const string Bucket = "bkt";

    private CloudStorageEmulator emulator = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        emulator = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions
        {
            Clock = () => new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero),
            RewriteChunkBytes = 1000,
        });
        emulator.CreateBucket(Bucket);
        http = new HttpClient { BaseAddress = emulator.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task Uploads_make_increasing_generations_with_string_int64_hashes_and_times()
    {
        var first = await Upload("a/b.txt", "hello", "&ifGenerationMatch=0");
        var second = await Upload("a/b.txt", "hello again", "");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(JsonValueKind.String, first.Json.GetProperty("generation").ValueKind);
        Assert.Equal("5", first.Json.GetProperty("size").GetString());
        Assert.Equal("XUFAKrxLKna5cZ2REBfFkg==", first.Json.GetProperty("md5Hash").GetString());
        Assert.Equal("mnG7TA==", first.Json.GetProperty("crc32c").GetString()); // CRC-32C("hello") = 0x9A71BB4C
        Assert.Equal("2026-11-22T10:00:00.000Z", first.Json.GetProperty("timeCreated").GetString());
        Assert.Equal("a/b.txt", first.Json.GetProperty("name").GetString());
        Assert.True(Generation(second.Json) > Generation(first.Json));
        Assert.True(Generation(first.Json) > 1_700_000_000_000_000, "generations look like microsecond timestamps");
        Assert.Equal(1, emulator.CreationCount(Bucket, "a/b.txt"));
    }

    [Fact]
    public async Task Create_only_upload_and_generation_preconditions_give_412_conditionNotMet()
    {
        var created = await Upload("x", "1", "&ifGenerationMatch=0");
        var again = await Upload("x", "2", "&ifGenerationMatch=0");
        var wrong = await Upload("x", "3", "&ifGenerationMatch=12345");
        var right = await Upload("x", "4", $"&ifGenerationMatch={Generation(created.Json)}");

        Assert.Equal(HttpStatusCode.PreconditionFailed, again.Status);
        Assert.Equal("conditionNotMet", Reason(again.Json));
        Assert.Equal(412, again.Json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.PreconditionFailed, wrong.Status);
        Assert.Equal(HttpStatusCode.OK, right.Status);
        Assert.Equal("4", Encoding.UTF8.GetString(emulator.Read(Bucket, "x")!));
        Assert.Equal(1, emulator.CreationCount(Bucket, "x"));
    }

    [Fact]
    public async Task Multipart_upload_takes_the_name_and_content_type_from_the_metadata_part()
    {
        using var content = new MultipartContent("related", "BOUNDARY");
        content.Add(new StringContent("""{"name":"m/manifest.json","contentType":"application/json"}""", Encoding.UTF8, "application/json"));
        content.Add(new ByteArrayContent("""{"files":3}"""u8.ToArray()));
        using var response = await http.PostAsync($"upload/storage/v1/b/{Bucket}/o?uploadType=multipart&ifGenerationMatch=0", content);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", emulator.Find(Bucket, "m/manifest.json")!.ContentType);
        Assert.Equal("""{"files":3}""", Encoding.UTF8.GetString(emulator.Read(Bucket, "m/manifest.json")!));
    }

    [Fact]
    public async Task An_object_path_with_a_raw_slash_is_not_one_name()
    {
        emulator.Seed(Bucket, "dir/file", "x"u8);

        using var raw = await http.GetAsync($"storage/v1/b/{Bucket}/o/dir/file");
        using var rawDelete = await http.DeleteAsync($"storage/v1/b/{Bucket}/o/dir/file");
        using var encoded = await http.GetAsync($"storage/v1/b/{Bucket}/o/dir%2Ffile");
        using var media = await http.GetAsync($"storage/v1/b/{Bucket}/o/dir%2Ffile?alt=media");

        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
        Assert.Equal("notFound", Reason(await Json(raw)));
        Assert.Equal(HttpStatusCode.NotFound, rawDelete.StatusCode);
        Assert.True(emulator.Exists(Bucket, "dir/file"));
        Assert.Equal(HttpStatusCode.OK, encoded.StatusCode);
        Assert.Equal("x", await media.Content.ReadAsStringAsync());
        Assert.Equal(emulator.Find(Bucket, "dir/file")!.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), media.Headers.GetValues("X-Goog-Generation").Single());
        Assert.Equal(StorageRoutes.Other, emulator.Requests[0].Route);
    }

    [Fact]
    public async Task Unknown_bucket_and_missing_object_are_404_notFound()
    {
        using var bucket = await http.GetAsync("storage/v1/b/nope/o");
        using var missing = await http.GetAsync($"storage/v1/b/{Bucket}/o/missing?alt=media");

        Assert.Equal(HttpStatusCode.NotFound, bucket.StatusCode);
        Assert.Equal("notFound", Reason(await Json(bucket)));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Delete_honours_ifGenerationMatch_and_answers_204_then_404()
    {
        var seeded = emulator.Seed(Bucket, "d", "x"u8);

        using var stale = await http.DeleteAsync($"storage/v1/b/{Bucket}/o/d?ifGenerationMatch={seeded.Generation - 1}");
        using var deleted = await http.DeleteAsync($"storage/v1/b/{Bucket}/o/d?ifGenerationMatch={seeded.Generation}");
        using var again = await http.DeleteAsync($"storage/v1/b/{Bucket}/o/d?ifGenerationMatch={seeded.Generation}");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.False(emulator.Exists(Bucket, "d"));
    }

    [Fact]
    public async Task Listing_pages_through_2500_objects_with_prefixes_counted_in_the_page()
    {
        for (var i = 0; i < 2500; i++)
        {
            emulator.Seed(Bucket, $"t/{i:D5}", "x"u8);
        }

        emulator.Seed(Bucket, "t/sub/a", "x"u8);
        emulator.Seed(Bucket, "t/sub/b", "x"u8);
        emulator.Seed(Bucket, "t/zz/c", "x"u8);
        emulator.Seed(Bucket, "other", "x"u8);

        var names = new List<string>();
        var prefixes = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var url = $"storage/v1/b/{Bucket}/o?prefix=t%2F&delimiter=%2F&maxResults=5000"
                      + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token));
            using var response = await http.GetAsync(url);
            var json = await Json(response);
            pages++;
            var count = 0;
            if (json.TryGetProperty("items", out var items))
            {
                foreach (var item in items.EnumerateArray())
                {
                    names.Add(item.GetProperty("name").GetString()!);
                    count++;
                }
            }

            if (json.TryGetProperty("prefixes", out var found))
            {
                foreach (var prefix in found.EnumerateArray())
                {
                    prefixes.Add(prefix.GetString()!);
                    count++;
                }
            }

            Assert.InRange(count, 1, 1000);
            token = json.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(2500, names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(2500, names.Distinct().Count());
        Assert.Equal(["t/sub/", "t/zz/"], prefixes);
    }

    [Fact]
    public async Task A_fields_mask_sends_only_what_it_selects()
    {
        emulator.Seed(Bucket, "f/a", "x"u8);
        emulator.Seed(Bucket, "f/b/c", "x"u8);

        var json = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?prefix=f%2F&delimiter=%2F&fields="
                                                  + Uri.EscapeDataString(Core.Storage.Gcs.GcsStore.ListFieldsMask)));
        var bad = await http.GetAsync($"storage/v1/b/{Bucket}/o?fields=items(name");

        Assert.Equal(["prefixes", "items"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "generation", "metageneration", "size", "timeCreated", "updated"], json.GetProperty("items")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_late_list_page_reads_no_more_names_than_an_early_one()
    {
        foreach (var name in Enumerable.Range(0, 2000).Select(i => $"a/{i:D4}"))
        {
            emulator.Seed(Bucket, name, "x"u8);
        }

        for (var i = 0; i < 5000; i++)
        {
            // A big sub-folder in the middle: its names roll up into one prefix, which the page jumps over.
            emulator.Seed(Bucket, i % 2 == 0 ? $"t/{i:D5}" : $"t/m/{i:D5}", "x"u8);
        }

        var work = new List<long>();
        var entries = 0;
        string? token = null;
        do
        {
            var before = emulator.ListEntriesRead;
            var json = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?prefix=t%2F&delimiter=%2F&maxResults=500"
                                                      + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token))));
            work.Add(emulator.ListEntriesRead - before);
            entries += (json.TryGetProperty("items", out var items) ? items.GetArrayLength() : 0)
                       + (json.TryGetProperty("prefixes", out var prefixes) ? prefixes.GetArrayLength() : 0);
            token = json.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        Assert.Equal(2501, entries);
        Assert.Equal(6, work.Count);
        Assert.All(work, read => Assert.InRange(read, 1, 502));
    }

    [Fact]
    public async Task Offsets_bound_names_start_inclusive_end_exclusive_and_prefixes_roll_up_from_names_in_range()
    {
        foreach (var name in new[] { "p/a", "p/b", "p/c/1", "p/c/9", "p/d", "p/e%2F", "p/f" })
        {
            emulator.Seed(Bucket, name, "x"u8);
        }

        async Task<List<string>> Range(string offsets)
        {
            var json = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?prefix=p%2F&delimiter=%2F{offsets}"));
            return [.. json.TryGetProperty("items", out var items) ? items.EnumerateArray().Select(i => i.GetProperty("name").GetString()!) : [],
                .. json.TryGetProperty("prefixes", out var p) ? p.EnumerateArray().Select(x => x.GetString()!) : []];
        }

        Assert.Equal(["p/b", "p/c/"], await Range("&startOffset=p%2Fb&endOffset=p%2Fc%2F5"));
        Assert.Equal(["p/d", "p/c/"], await Range("&startOffset=p%2Fc%2F5&endOffset=p%2Fe%252F"));
        Assert.Equal(["p/e%2F", "p/f"], await Range("&startOffset=p%2Fe%252F"));
        Assert.Equal(["p/a"], await Range("&endOffset=p%2Fb"));
    }

    [Fact]
    public async Task Small_pages_roll_deeper_names_into_distinct_prefixes_across_page_boundaries()
    {
        foreach (var name in new[] { "p/a", "p/b/1", "p/b/2", "p/b/3", "p/c", "p/d/1", "p/e" })
        {
            emulator.Seed(Bucket, name, "x"u8);
        }

        var entries = new List<string>();
        string? token = null;
        do
        {
            using var response = await http.GetAsync($"storage/v1/b/{Bucket}/o?prefix=p%2F&delimiter=%2F&maxResults=2"
                                                     + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token)));
            var json = await Json(response);
            entries.AddRange(json.TryGetProperty("items", out var items) ? items.EnumerateArray().Select(i => i.GetProperty("name").GetString()!) : []);
            entries.AddRange(json.TryGetProperty("prefixes", out var p) ? p.EnumerateArray().Select(x => x.GetString()!) : []);
            token = json.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        Assert.Equal(["p/a", "p/b/", "p/c", "p/d/", "p/e"], entries.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rewrite_needs_several_token_rounds_for_a_big_object_and_commits_only_at_the_end()
    {
        var bytes = new byte[2500];
        new Random(3).NextBytes(bytes);
        var source = emulator.Seed(Bucket, "src/big", bytes);
        var path = $"storage/v1/b/{Bucket}/o/src%2Fbig/rewriteTo/b/{Bucket}/o/dst%2Fbig?ifGenerationMatch=0&ifSourceGenerationMatch={source.Generation}&sourceGeneration={source.Generation}";

        var rounds = new List<JsonElement>();
        string? token = null;
        do
        {
            using var response = await http.PostAsync(path + (token is null ? "" : "&rewriteToken=" + Uri.EscapeDataString(token)), new StringContent("{}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await Json(response);
            rounds.Add(json);
            if (!json.GetProperty("done").GetBoolean())
            {
                Assert.False(emulator.Exists(Bucket, "dst/big"));
            }

            token = json.TryGetProperty("rewriteToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        Assert.Equal(3, rounds.Count);
        Assert.Equal(["1000", "2000", "2500"], rounds.Select(r => r.GetProperty("totalBytesRewritten").GetString()));
        Assert.All(rounds, r => Assert.Equal("2500", r.GetProperty("objectSize").GetString()));
        Assert.Equal(bytes, emulator.Read(Bucket, "dst/big"));
        Assert.Equal(source.Md5Hash, rounds[^1].GetProperty("resource").GetProperty("md5Hash").GetString());
        Assert.Equal(1, emulator.CreationCount(Bucket, "dst/big"));

        // A token belongs to its rewrite: another destination does not accept it.
        using var misuse = await http.PostAsync(
            $"storage/v1/b/{Bucket}/o/src%2Fbig/rewriteTo/b/{Bucket}/o/elsewhere?ifGenerationMatch=0&sourceGeneration={source.Generation}&rewriteToken="
            + Uri.EscapeDataString(rounds[0].GetProperty("rewriteToken").GetString()!),
            new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, misuse.StatusCode);
    }

    [Fact]
    public async Task Rewrite_checks_destination_and_source_preconditions()
    {
        var source = emulator.Seed(Bucket, "s", "payload"u8);
        emulator.Seed(Bucket, "taken", "old"u8);

        using var destinationExists = await Rewrite("s", "taken", $"ifGenerationMatch=0&ifSourceGenerationMatch={source.Generation}");
        using var sourceChanged = await Rewrite("s", "free", $"ifGenerationMatch=0&ifSourceGenerationMatch={source.Generation + 1}");
        using var sourceGenerationGone = await Rewrite("s", "free", $"ifGenerationMatch=0&sourceGeneration={source.Generation - 1}");
        using var chunkNotMiB = await Rewrite("s", "free", "maxBytesRewrittenPerCall=1000");

        Assert.Equal(HttpStatusCode.PreconditionFailed, destinationExists.StatusCode);
        Assert.Equal("old", Encoding.UTF8.GetString(emulator.Read(Bucket, "taken")!));
        Assert.Equal(HttpStatusCode.PreconditionFailed, sourceChanged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, sourceGenerationGone.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, chunkNotMiB.StatusCode);
        Assert.False(emulator.Exists(Bucket, "free"));
    }

    [Fact]
    public async Task Patch_sets_custom_metadata_under_a_metageneration_precondition_and_a_rewrite_copies_it()
    {
        var seeded = emulator.Seed(Bucket, "p", "x"u8);
        var path = $"storage/v1/b/{Bucket}/o/p";

        using var claimed = await http.PatchAsync(path + $"?ifGenerationMatch={seeded.Generation}&ifMetagenerationMatch=1",
            new StringContent("""{"metadata":{"bqdispatch-claim":"t1"}}""", Encoding.UTF8, "application/json"));
        using var late = await http.PatchAsync(path + "?ifMetagenerationMatch=1", new StringContent("""{"metadata":{"k":"v"}}"""));
        using var pinnedToOld = await Rewrite("p", "copy1", "ifGenerationMatch=0&ifSourceMetagenerationMatch=1");
        using var pinnedToNew = await Rewrite("p", "copy2", "ifGenerationMatch=0&ifSourceMetagenerationMatch=2");

        var json = await Json(claimed);
        Assert.Equal(HttpStatusCode.OK, claimed.StatusCode);
        Assert.Equal("2", json.GetProperty("metageneration").GetString());
        Assert.Equal(seeded.Generation, Generation(json));
        Assert.Equal("t1", json.GetProperty("metadata").GetProperty("bqdispatch-claim").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, late.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, pinnedToOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, pinnedToNew.StatusCode);
        Assert.Equal("t1", emulator.Find(Bucket, "copy2")!.Metadata!["bqdispatch-claim"]);
        Assert.Equal(1, emulator.Find(Bucket, "copy2")!.Metageneration);
    }

    [Fact]
    public async Task Injected_faults_answer_with_google_errors_drops_and_storms_and_are_logged()
    {
        emulator.Seed(Bucket, "f", "x"u8);
        emulator.FailNext(StorageRoutes.Get, 429, "rateLimitExceeded");
        emulator.DropNext(StorageRoutes.Get);

        using var limited = await http.GetAsync($"storage/v1/b/{Bucket}/o/f");
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"storage/v1/b/{Bucket}/o/f"));
        using var fine = await http.GetAsync($"storage/v1/b/{Bucket}/o/f");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rateLimitExceeded", Reason(await Json(limited)));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        Assert.Equal([429, 0, 200], emulator.Requests.Select(r => r.Status));
        Assert.Equal(3, emulator.Calls(StorageRoutes.Get));

        emulator.ErrorRate(StorageRoutes.List, 0.5, 503, seed: 7);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await http.GetAsync($"storage/v1/b/{Bucket}/o");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal("backendError", Reason(await Json(response)));
            }
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.ServiceUnavailable), 8, 32);
        Assert.Contains(HttpStatusCode.OK, statuses);

        emulator.DropAfterCommit(StorageRoutes.Upload);
        await Assert.ThrowsAsync<HttpRequestException>(() => Upload("committed", "x", "&ifGenerationMatch=0"));
        Assert.True(emulator.Exists(Bucket, "committed"));
        Assert.Throws<ArgumentException>(() => emulator.FailNext("copy", 500, "x"));
    }

    private async Task<HttpResponseMessage> Rewrite(string source, string destination, string query) =>
        await http.PostAsync($"storage/v1/b/{Bucket}/o/{Uri.EscapeDataString(source)}/rewriteTo/b/{Bucket}/o/{Uri.EscapeDataString(destination)}?{query}", new StringContent("{}"));

    private async Task<(HttpStatusCode Status, JsonElement Json)> Upload(string name, string text, string extra)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var response = await http.PostAsync($"upload/storage/v1/b/{Bucket}/o?uploadType=media&name={Uri.EscapeDataString(name)}{extra}", content);
        return (response.StatusCode, await Json(response));
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static long Generation(JsonElement json) => long.Parse(json.GetProperty("generation").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static string? Reason(JsonElement json) => json.GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString();
}
