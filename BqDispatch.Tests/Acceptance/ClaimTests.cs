using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// Claims in a whole run: a hand-off is claim, copy, delete; work another dispatcher claimed is left to it for the lease,
/// then taken over without a second trigger object even when BqTail consumed the first one.
/// </summary>
public abstract class ClaimTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string TraceName = "proj:p1:US/ds.t--1_00001_load--dispatch";
    private const string Destination = "trig/_bqjob_/2023-11-14_22/proj:p1:US/ds_t--1_00001_load--dispatch.json";

    [Fact]
    public async Task A_hand_off_is_a_claim_a_copy_and_a_delete_and_looks_for_nothing_else()
    {
        await using var f = await Fixture();
        var trace = f.Trace(TraceName, TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        var calls = new List<StoreOperation>();
        f.Store.BeforeOperation = (operation, url) =>
        {
            if (url == trace.Url || url == f.Url(Destination))
            {
                lock (calls)
                {
                    calls.Add(operation);
                }
            }

            return Task.CompletedTask;
        };

        var status = await f.Run();

        Assert.Equal(1, status.Totals.HandedOff);
        Assert.Equal([StoreOperation.Claim, StoreOperation.Copy, StoreOperation.Delete], calls);
    }

    [Fact]
    public async Task Work_another_dispatcher_claimed_is_left_to_it_then_taken_over_without_a_second_trigger_object()
    {
        await using var f = await Fixture();
        var trace = f.Trace(TraceName, TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);

        // Another dispatcher claims and copies, then dies before its delete; BqTail consumes the trigger object.
        var claim = await f.Store.Claim(trace.Url, trace.Generation, 1, CancellationToken.None);
        Assert.Equal(CopyOutcome.Copied, await f.Store.CopyIfAbsent(trace.Url, trace.Generation, claim.Metageneration, f.Url(Destination), CancellationToken.None));
        Assert.True(f.Store.Remove(f.Url(Destination)));
        f.Clock.Advance(TimeSpan.FromSeconds(2));

        var whileClaimed = await f.Run();
        f.WaitOutClaims();
        var afterLease = await f.Run();

        Assert.Equal((0, 0, 1), (whileClaimed.Totals.HandedOff, whileClaimed.Totals.AlreadyHandedOff, whileClaimed.Totals.ClaimedElsewhere));
        Assert.Equal((0, 1, 0), (afterLease.Totals.HandedOff, afterLease.Totals.AlreadyHandedOff, afterLease.Totals.ClaimedElsewhere));
        Assert.Equal(StatusDocument.Ok, afterLease.Status);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Equal(1, f.Store.CreationCount(f.Url(Destination)));
    }
}

public sealed class ClaimsOnMemory() : ClaimTests(StorageKind.Memory);

public sealed class ClaimsOnCloudStorage() : ClaimTests(StorageKind.CloudStorage);
