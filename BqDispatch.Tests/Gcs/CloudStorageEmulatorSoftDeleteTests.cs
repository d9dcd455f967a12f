using System.Net;
using System.Text;
using System.Text.Json;
using BqDispatch.Emulators.Storage;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>The emulator's soft delete, on the wire: deleted objects stay readable with softDeleted=true until their hard delete time.</summary>
public sealed class CloudStorageEmulatorSoftDeleteTests
{
    private const string Bucket = "bkt";
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_deleted_object_is_listed_and_read_only_with_softDeleted_true_and_does_not_block_a_create()
    {
        var now = T0;
        await using var emulator = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions
        {
            Clock = () => now,
            SoftDeleteRetention = TimeSpan.FromDays(7),
        });
        emulator.CreateBucket(Bucket);
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        var first = emulator.Seed(Bucket, "_bqjob_/h/t.json", "trace"u8);
        emulator.Seed(Bucket, "_bqjob_/h/t.json.other", "x"u8);
        now += TimeSpan.FromSeconds(1);
        Assert.True(emulator.Delete(Bucket, "_bqjob_/h/t.json"));

        using var live = await http.GetAsync($"storage/v1/b/{Bucket}/o?prefix={Uri.EscapeDataString("_bqjob_/h/t.json")}");
        var deleted = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?prefix={Uri.EscapeDataString("_bqjob_/h/t.json")}&softDeleted=true"));
        var item = Assert.Single(deleted.GetProperty("items").EnumerateArray());
        Assert.Equal("_bqjob_/h/t.json", item.GetProperty("name").GetString());
        Assert.Equal(first.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), item.GetProperty("generation").GetString());
        Assert.Equal(first.Md5Hash, item.GetProperty("md5Hash").GetString());
        Assert.Equal("2026-11-22T10:00:01.000Z", item.GetProperty("softDeleteTime").GetString());
        Assert.Equal("2026-11-29T10:00:01.000Z", item.GetProperty("hardDeleteTime").GetString());
        Assert.Equal(["_bqjob_/h/t.json.other"], (await Json(live)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));

        var path = $"storage/v1/b/{Bucket}/o/{Uri.EscapeDataString("_bqjob_/h/t.json")}";
        using var plain = await http.GetAsync(path);
        using var withoutGeneration = await http.GetAsync(path + "?softDeleted=true");
        using var byGeneration = await http.GetAsync(path + $"?softDeleted=true&generation={first.Generation}");
        using var media = await http.GetAsync(path + $"?alt=media&softDeleted=true&generation={first.Generation}");
        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withoutGeneration.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byGeneration.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, media.StatusCode);

        // ifGenerationMatch=0 asks for no live object: a soft-deleted one does not count, so the name can be created again.
        using var again = await http.PostAsync(
            $"upload/storage/v1/b/{Bucket}/o?uploadType=media&name={Uri.EscapeDataString("_bqjob_/h/t.json")}&ifGenerationMatch=0",
            new ByteArrayContent(Encoding.UTF8.GetBytes("trace")));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, emulator.CreationCount(Bucket, "_bqjob_/h/t.json"));

        now += TimeSpan.FromDays(7);
        var expired = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?prefix=_bqjob_&softDeleted=true"));
        Assert.False(expired.TryGetProperty("items", out _));
    }

    [Fact]
    public async Task Soft_deleted_generations_page_by_name_and_generation()
    {
        await using var emulator = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Clock = () => T0, MaxPageSize = 2 });
        emulator.CreateBucket(Bucket);
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        var written = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            written.Add(emulator.Seed(Bucket, "a", "x"u8).Generation);
            emulator.Delete(Bucket, "a");
        }

        var first = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?softDeleted=true"));
        var token = first.GetProperty("nextPageToken").GetString();
        var second = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?softDeleted=true&pageToken={Uri.EscapeDataString(token!)}"));

        var listed = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(i => long.Parse(i.GetProperty("generation").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(written, listed);
        Assert.False(second.TryGetProperty("nextPageToken", out _));
    }

    [Fact]
    public async Task Without_retention_a_deleted_object_is_gone_at_once()
    {
        await using var emulator = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Clock = () => T0, SoftDeleteRetention = TimeSpan.Zero });
        emulator.CreateBucket(Bucket);
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        emulator.Seed(Bucket, "a", "x"u8);
        emulator.Delete(Bucket, "a");

        var listed = await Json(await http.GetAsync($"storage/v1/b/{Bucket}/o?softDeleted=true"));

        Assert.False(listed.TryGetProperty("items", out _));
        Assert.False(emulator.Delete(Bucket, "a"));
    }

    [Fact]
    public async Task BeforeAnswer_runs_after_the_change_and_before_the_caller_hears_of_it()
    {
        await using var emulator = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Clock = () => T0 });
        emulator.CreateBucket(Bucket);
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        var seen = new List<(int Status, bool Existed)>();
        emulator.BeforeAnswer = request => seen.Add((request.Status, emulator.Exists(Bucket, "n")));
        emulator.DropAfterCommitRate(StorageRoutes.Upload, 1, seed: 3);

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(
            $"upload/storage/v1/b/{Bucket}/o?uploadType=media&name=n", new ByteArrayContent("x"u8.ToArray())));

        Assert.Equal([(200, true)], seen);
        Assert.Equal([0], emulator.Requests.Select(r => r.Status));
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }
    }
}
