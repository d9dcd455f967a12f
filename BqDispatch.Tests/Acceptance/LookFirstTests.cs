using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// Only work whose trigger object may have been made already pays for the look at soft-deleted ones: work that falls
/// due while a dispatcher alone watches is copied straight away.
/// </summary>
public abstract class LookFirstTests(StorageKind kind) : AcceptanceTests(kind)
{
    [Fact]
    public async Task Work_due_before_the_first_cycle_is_looked_up_and_work_due_between_cycles_is_not()
    {
        await using var f = await Fixture();
        var early = f.Trace("proj:p1:US/ds.early--1_00001_load--dispatch", TimeSpan.FromMinutes(1));
        f.Job("p1", "ds_early--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: early.Created);
        var inTime = f.Trace("proj:p1:US/ds.in_time--2_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.BigQuery.AddJob(new EmulatedJob("p1", "ds_in_time--2_00001_load--dispatch", "US", EmulatedJobType.Load, f.BigQuery.Options.CallerEmail, inTime.Created)
        {
            RunningAt = inTime.Created,
            DoneAt = f.Clock.UtcNow + TimeSpan.FromSeconds(1),
        });
        var looked = new List<string>();
        f.Store.BeforeOperation = (operation, url) =>
        {
            if (operation == StoreOperation.Presence)
            {
                lock (looked)
                {
                    looked.Add(url);
                }
            }

            return Task.CompletedTask;
        };

        var status = await f.Run(maxCycles: 2);

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(2, status.Totals.HandedOff);
        Assert.Equal([f.Url($"trig/_bqjob_/{early.Created.UtcDateTime:yyyy-MM-dd_HH}/proj:p1:US/ds_early--1_00001_load--dispatch.json")], looked);
    }
}

public sealed class LookFirstOnMemory() : LookFirstTests(StorageKind.Memory);

public sealed class LookFirstOnCloudStorage() : LookFirstTests(StorageKind.CloudStorage);
