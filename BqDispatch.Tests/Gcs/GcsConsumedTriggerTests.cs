using BqDispatch.Core.Storage;
using BqDispatch.Core.Storage.Gcs;
using BqDispatch.Emulators.Storage;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>
/// Issue 9's sequences, deterministic: a consumer (BqTail) deletes the trigger object the moment it exists, between a
/// dispatcher's call and its next one. Nothing is ever created twice.
/// </summary>
public sealed class GcsConsumedTriggerTests
{
    private const string Source = "tasks/proj:p:US/t--1_00001_load--dispatch";
    private const string Destination = "_bqjob_/2026-11-22_10/proj:p:US/t--1_00001_load--dispatch.json";
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Two_dispatchers_a_lost_answer_and_a_consumer_between_the_412_and_the_read_back_make_one_trigger_object()
    {
        await using var gcs = await GcsHarness.Start();
        var d2 = new GcsStore(gcs.Http, gcs.Emulator.BaseUrl.ToString());
        var source = gcs.Emulator.Seed(GcsHarness.Bucket, Source, "{\"trace\":1}"u8);

        // d1's rewrite lands and its answer is lost; it looks, finds its object, and reports it copied.
        gcs.Emulator.DropAfterCommit(StorageRoutes.Rewrite);
        var first = await gcs.Store.CopyIfAbsent(GcsHarness.Url(Source), source.Generation, null, GcsHarness.Url(Destination), None);

        // d2 tries the same copy and meets 412; BqTail deletes the trigger object before d2 can read it back.
        gcs.Emulator.BeforeAnswer = request =>
        {
            if (request.Route == StorageRoutes.Rewrite && request.Status == 412)
            {
                gcs.Emulator.Delete(GcsHarness.Bucket, Destination);
            }
        };
        var second = await d2.CopyIfAbsent(GcsHarness.Url(Source), source.Generation, null, GcsHarness.Url(Destination), None);

        Assert.Equal(CopyOutcome.Copied, first);
        Assert.Equal(CopyOutcome.DestinationExists, second);
        Assert.False(gcs.Emulator.Exists(GcsHarness.Bucket, Destination));
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, Destination));
    }

    [Fact]
    public async Task A_copy_whose_answer_was_lost_after_the_consumer_took_it_is_not_made_again()
    {
        await using var gcs = await GcsHarness.Start();
        var source = gcs.Emulator.Seed(GcsHarness.Bucket, Source, "{\"trace\":1}"u8);
        gcs.Emulator.DropAfterCommit(StorageRoutes.Rewrite);
        ConsumeWhatIsWritten(gcs.Emulator);

        var outcome = await gcs.Store.CopyIfAbsent(GcsHarness.Url(Source), source.Generation, null, GcsHarness.Url(Destination), None);

        Assert.Equal(CopyOutcome.Copied, outcome);
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, Destination));
        Assert.Equal(1, gcs.Emulator.Calls(StorageRoutes.Rewrite));
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_after_the_consumer_took_it_is_not_made_again()
    {
        await using var gcs = await GcsHarness.Start();
        gcs.Emulator.DropAfterCommit(StorageRoutes.Upload);
        ConsumeWhatIsWritten(gcs.Emulator);

        var outcome = await gcs.Store.Create(GcsHarness.Url(Destination), "{\"trace\":1}"u8.ToArray(), None);

        Assert.Equal(CreateOutcome.Created, outcome);
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, Destination));
        Assert.Equal(1, gcs.Emulator.Calls(StorageRoutes.Upload));
    }

    [Fact]
    public async Task An_unanswered_copy_that_did_not_land_is_made_once_after_looking()
    {
        await using var gcs = await GcsHarness.Start();
        var source = gcs.Emulator.Seed(GcsHarness.Bucket, Source, "{\"trace\":1}"u8);
        gcs.Emulator.DropNext(StorageRoutes.Rewrite);
        gcs.Emulator.FailNext(StorageRoutes.Rewrite, 500, "internalError");

        var outcome = await gcs.Store.CopyIfAbsent(GcsHarness.Url(Source), source.Generation, null, GcsHarness.Url(Destination), None);

        Assert.Equal(CopyOutcome.Copied, outcome);
        Assert.Equal(1, gcs.Emulator.CreationCount(GcsHarness.Bucket, Destination));
        Assert.Equal([0, 500, 200], gcs.Emulator.Requests.Where(r => r.Route == StorageRoutes.Rewrite).Select(r => r.Status));
        Assert.Equal(2, gcs.Emulator.Requests.Count(r => r.Route == StorageRoutes.List && r.QueryString.Contains("softDeleted=true", StringComparison.Ordinal)));
    }

    /// <summary>BqTail at its fastest: a trigger object is read and deleted as soon as the write that made it is handled.</summary>
    private static void ConsumeWhatIsWritten(CloudStorageEmulator emulator) =>
        emulator.BeforeAnswer = request =>
        {
            if (request.Route is StorageRoutes.Rewrite or StorageRoutes.Upload && emulator.Exists(GcsHarness.Bucket, Destination))
            {
                emulator.Delete(GcsHarness.Bucket, Destination);
            }
        };
}
