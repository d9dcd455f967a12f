using BqDispatch.Cli;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Throttling;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>The dry run says what the next cycle would do, with the throttle's reasons, and changes nothing.</summary>
public abstract class PlanTests(StorageKind kind) : AcceptanceTests(kind)
{
    [Fact]
    public async Task The_preview_lists_the_cycle_and_changes_nothing()
    {
        var end = DateTimeOffset.FromUnixTimeSeconds(1700000000);
        await using var f = await Fixture(new { MaxConcurrentSQL = 1 }, end + TimeSpan.FromSeconds(30));
        var done = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(20));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: done.Created);
        var held = f.Trace("proj:p1:US/ds.q--2_00001_query--dispatch", TimeSpan.FromSeconds(15));
        f.Job("p1", "ds_q--2_00001_query--dispatch", EmulatedJobType.Query, EmulatedJobState.Done, created: held.Created);
        f.Job("p1", "someone_elses_query", EmulatedJobType.Query, EmulatedJobState.Running);
        var orphan = f.Trace("proj:p1:US/ds.o--3_00001_load--dispatch", TimeSpan.FromHours(30));
        var window = f.Object(f.Tasks + "ds.w_1_1700000000.win", "{}", TimeSpan.FromMinutes(1));
        var writes = 0;
        f.Store.BeforeOperation = (operation, _) =>
        {
            if (operation is not (StoreOperation.List or StoreOperation.Read))
            {
                Interlocked.Increment(ref writes);
            }

            return Task.CompletedTask;
        };

        var preview = await CyclePreview.Of(f.Activities(), Core.Dispatch.RunSettings.From(f.Config), new ProjectThrottles(), f.Clock.UtcNow, CancellationToken.None);

        Assert.Equal(0, writes);
        Assert.Equal([new PlannedMove(done.Url, f.Url("trig/_bqjob_/2023-11-14_22/proj:p1:US/ds_t--1_00001_load--dispatch.json"))], preview.HandOffs);
        Assert.Equal([new PlannedMove(window.Url, f.Url("trig/_batch_/ds.w_1_1700000000.win"))], preview.Windows);
        var queued = Assert.Single(preview.Held);
        Assert.Equal((held.Url, "p1", "main", "query", 512L), (queued.URL, queued.Project, queued.Lane, queued.Kind, queued.Priority));
        Assert.Equal(new HeldBy("MaxConcurrentSQL", HeldBy.ProjectScope, 1, 1), queued.HeldBy);
        Assert.Equal([new PlannedMove(orphan.Url, f.Errors + "orphans/proj:p1:US/ds.o--3_00001_load--dispatch")], preview.Evictions);

        var text = PlanCommand.Describe(preview);
        Assert.Contains($"hold       {held.Url}  [lane main]\n           (query jobs active in p1: 1, MaxConcurrentSQL 1)", text, StringComparison.Ordinal);
        Assert.Contains("in short   1 hand-offs, 1 windows, 1 held, 0 removals, 1 evictions", text, StringComparison.Ordinal);
        Assert.True(f.Store.Exists(done.Url));
        Assert.Empty(f.ObjectsUnder(f.Url("trig/")));
    }
}

public sealed class PlanOnMemory() : PlanTests(StorageKind.Memory);

public sealed class PlanOnCloudStorage() : PlanTests(StorageKind.CloudStorage);
