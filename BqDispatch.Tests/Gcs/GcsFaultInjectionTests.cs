using System.Text;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.Storage;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>GcsStore + RetryHandler + the emulator under injected faults: outcomes stay right and exactly once.</summary>
public sealed class GcsFaultInjectionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Error_storms_on_every_route_still_give_correct_outcomes(int status)
    {
        await using var gcs = await GcsHarness.Start();
        foreach (var route in StorageRoutes.All)
        {
            gcs.Emulator.FailNext(route, status, status == 429 ? "rateLimitExceeded" : "backendError");
            gcs.Emulator.ErrorRate(route, 0.4, status, seed: status + route.Length);
        }

        var store = gcs.Store;
        Assert.Equal(CreateOutcome.Created, await store.Create(GcsHarness.Url("in/a"), "A"u8.ToArray(), None));
        Assert.Equal(CreateOutcome.AlreadyExists, await store.Create(GcsHarness.Url("in/a"), "other"u8.ToArray(), None));
        await store.Put(GcsHarness.Url("journal/performance.json"), "{}"u8.ToArray(), None);
        var listing = await store.List(GcsHarness.Url("in/"), None);
        var source = Assert.Single(listing.Objects);
        Assert.Equal("A", Encoding.UTF8.GetString(await store.Read(source.Url, None)));
        var claim = await store.Claim(source.Url, source.Generation, source.Metageneration, None);
        Assert.Equal((ClaimOutcome.Claimed, 2), (claim.Outcome, claim.Metageneration));
        Assert.Equal(ClaimOutcome.Taken, (await store.Claim(source.Url, source.Generation, source.Metageneration, None)).Outcome);
        Assert.Equal(CopyOutcome.Copied, await store.CopyIfAbsent(source.Url, source.Generation, null, GcsHarness.Url("out/a"), None));
        Assert.Equal(CopyOutcome.DestinationExists, await store.CopyIfAbsent(source.Url, source.Generation, null, GcsHarness.Url("out/a"), None));
        Assert.Equal(CopyOutcome.SourceChanged, await store.CopyIfAbsent(source.Url, source.Generation + 1, null, GcsHarness.Url("out/b"), None));
        Assert.Equal(DeleteOutcome.GenerationChanged, await store.Delete(source.Url, source.Generation + 1, None));
        Assert.Equal(DeleteOutcome.Deleted, await store.Delete(source.Url, source.Generation, None));
        Assert.Equal(DeleteOutcome.Missing, await store.Delete(source.Url, source.Generation, None));
        Assert.NotNull(await store.ReadVersioned(GcsHarness.Url("out/a"), None));

        // The storm did bite, on every route.
        var failedRoutes = gcs.Emulator.Requests.Where(r => r.Status == status).Select(r => r.Route).Distinct().ToList();
        Assert.Equal(StorageRoutes.All.Order(StringComparer.Ordinal), failedRoutes.Order(StringComparer.Ordinal));
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, "in/a"));
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, "out/a"));
        Assert.False(gcs.Emulator.Exists(GcsHarness.Bucket, "out/b"));
    }

    [Fact]
    public async Task A_create_whose_response_was_dropped_after_commit_is_reported_Created_exactly_once()
    {
        await using var gcs = await GcsHarness.Start();
        gcs.Emulator.DropAfterCommit(StorageRoutes.Upload);

        var first = await gcs.Store.Create(GcsHarness.Url("_bqjob_/t.json"), "trace"u8.ToArray(), None);
        var second = await gcs.Store.Create(GcsHarness.Url("_bqjob_/t.json"), "trace"u8.ToArray(), None);

        Assert.Equal(CreateOutcome.Created, first);
        Assert.Equal(CreateOutcome.AlreadyExists, second);
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, "_bqjob_/t.json"));
        Assert.Equal([0, 412], gcs.Emulator.Requests.Where(r => r.Route == StorageRoutes.Upload).Take(2).Select(r => r.Status));
    }

    [Fact]
    public async Task A_retried_create_that_meets_someone_elses_object_is_AlreadyExists()
    {
        await using var gcs = await GcsHarness.Start();
        gcs.Emulator.Seed(GcsHarness.Bucket, "x", "theirs"u8);
        gcs.Emulator.DropNext(StorageRoutes.Upload);

        Assert.Equal(CreateOutcome.AlreadyExists, await gcs.Store.Create(GcsHarness.Url("x"), "mine!!"u8.ToArray(), None));
        Assert.Equal("theirs", Encoding.UTF8.GetString(gcs.Emulator.Read(GcsHarness.Bucket, "x")!));
    }

    [Fact]
    public async Task A_rewrite_whose_response_was_dropped_after_commit_is_reported_Copied_exactly_once()
    {
        await using var gcs = await GcsHarness.Start();
        var source = gcs.Emulator.Seed(GcsHarness.Bucket, "in/trace", "payload"u8);
        gcs.Emulator.DropAfterCommit(StorageRoutes.Rewrite);

        var first = await gcs.Store.CopyIfAbsent(GcsHarness.Url("in/trace"), source.Generation, null, GcsHarness.Url("out/trace"), None);
        var second = await gcs.Store.CopyIfAbsent(GcsHarness.Url("in/trace"), source.Generation, null, GcsHarness.Url("out/trace"), None);

        Assert.Equal(CopyOutcome.Copied, first);
        Assert.Equal(CopyOutcome.DestinationExists, second);
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, "out/trace"));
        Assert.Equal("payload", Encoding.UTF8.GetString(gcs.Emulator.Read(GcsHarness.Bucket, "out/trace")!));
    }

    [Fact]
    public async Task A_delete_dropped_after_commit_is_Deleted_or_Missing_never_an_error()
    {
        await using var gcs = await GcsHarness.Start();
        var target = gcs.Emulator.Seed(GcsHarness.Bucket, "d", "x"u8);
        gcs.Emulator.DropAfterCommit(StorageRoutes.Delete);

        var outcome = await gcs.Store.Delete(GcsHarness.Url("d"), target.Generation, None);

        Assert.Contains(outcome, new[] { DeleteOutcome.Deleted, DeleteOutcome.Missing });
        Assert.False(gcs.Emulator.Exists(GcsHarness.Bucket, "d"));
        Assert.Equal(2, gcs.Emulator.Calls(StorageRoutes.Delete));
    }

    [Fact]
    public async Task A_rewrite_needing_three_token_rounds_copies_intact_even_with_a_drop_in_the_middle()
    {
        await using var gcs = await GcsHarness.Start(new CloudStorageEmulatorOptions { RewriteChunkBytes = 4096 });
        var bytes = new byte[10_000];
        new Random(11).NextBytes(bytes);
        var source = gcs.Emulator.Seed(GcsHarness.Bucket, "big/source.bin", bytes);

        Assert.Equal(CopyOutcome.Copied, await gcs.Store.CopyIfAbsent(GcsHarness.Url("big/source.bin"), source.Generation, null, GcsHarness.Url("big/copy.bin"), None));
        Assert.Equal(3, gcs.Emulator.Calls(StorageRoutes.Rewrite));
        Assert.Equal(bytes, gcs.Emulator.Read(GcsHarness.Bucket, "big/copy.bin"));

        gcs.Emulator.ResetCounters();
        gcs.Emulator.FailNext(StorageRoutes.Rewrite, 503, "backendError");
        gcs.Emulator.DropNext(StorageRoutes.Rewrite);
        Assert.Equal(CopyOutcome.Copied, await gcs.Store.CopyIfAbsent(GcsHarness.Url("big/source.bin"), source.Generation, null, GcsHarness.Url("big/copy2.bin"), None));
        Assert.Equal(5, gcs.Emulator.Calls(StorageRoutes.Rewrite));
        Assert.Equal(bytes, gcs.Emulator.Read(GcsHarness.Bucket, "big/copy2.bin"));
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, "big/copy2.bin"));
    }

    [Fact]
    public async Task A_permanent_error_is_a_StorageException_with_the_reason_and_is_not_retried()
    {
        await using var gcs = await GcsHarness.Start();
        gcs.Emulator.FailNext(StorageRoutes.Upload, 403, "forbidden", message: "d@p.iam.gserviceaccount.com does not have storage.objects.create access");

        var error = await Assert.ThrowsAsync<StorageException>(() => gcs.Store.Create(GcsHarness.Url("x"), "x"u8.ToArray(), None));

        Assert.Equal(403, error.Status);
        Assert.Contains("403 forbidden: d@p.iam.gserviceaccount.com does not have storage.objects.create access", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, gcs.Emulator.Calls(StorageRoutes.Upload));
        Assert.Empty(gcs.Delays);
    }

    [Fact]
    public async Task Listing_2500_objects_pages_through_the_emulator()
    {
        await using var gcs = await GcsHarness.Start();
        for (var i = 0; i < 2500; i++)
        {
            gcs.Emulator.Seed(GcsHarness.Bucket, $"tasks/{i:D4}--dispatch", "x"u8);
        }

        gcs.Emulator.Seed(GcsHarness.Bucket, "tasks/proj:p:US/j--dispatch", "x"u8);
        gcs.Emulator.ErrorRate(StorageRoutes.List, 0.3, 503, seed: 5);

        var listing = await gcs.Store.List(GcsHarness.Url("tasks/"), None);

        Assert.Equal(2500, listing.Objects.Count);
        Assert.Equal(2500, listing.Objects.Select(o => o.Name).Distinct().Count());
        Assert.Equal([GcsHarness.Url("tasks/proj:p:US/")], listing.Folders);
        Assert.True(gcs.Emulator.Requests.Count(r => r.Route == StorageRoutes.List && r.Status == 200) >= 3);
    }
}
