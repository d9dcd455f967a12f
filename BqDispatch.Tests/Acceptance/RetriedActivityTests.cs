using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// An activity repeated after its first attempt ended unseen, as a Durable engine repeats one whose result was lost
/// or whose worker died: the repeat finds the work done and reports it done, counted once, even when BqTail consumed
/// the trigger object in between (issue 9, §2 and §5). The work becomes due between the run's two cycles, so it is not
/// late by itself: only the repeat makes it look before copying.
/// </summary>
public abstract class RetriedActivityTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string JobId = "ds_t--1_00001_load--dispatch";
    private const string Destination = "trig/_bqjob_/2023-11-14_22/proj:p1:US/ds_t--1_00001_load--dispatch.json";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hand_off_repeated_after_its_copy_and_delete_landed_is_counted_once_as_already_handed_off(bool consumedBetween)
    {
        await using var f = await Fixture();
        var trace = TraceDoneBetweenCycles(f);
        var engine = new RepeatingEngine(f, () => consumedBetween && f.Store.Remove(f.Url(Destination)));

        var status = await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 2));

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal((0, 1, 0), (status.Totals.HandedOff, status.Totals.AlreadyHandedOff, status.Totals.SourceGone));
        Assert.Equal(1, status.Performance["p1"].Dispatched.LoadJobs);
        Assert.Equal([trace.Url], status.Jobs.Keys);
        Assert.Equal(1, f.Store.CreationCount(f.Url(Destination)));
        Assert.Equal(!consumedBetween, f.Store.Exists(f.Url(Destination)));
    }

    [Fact]
    public async Task A_hand_off_repeated_after_a_crash_between_copy_and_delete_and_a_consumer_is_not_copied_again()
    {
        await using var f = await Fixture();
        var trace = TraceDoneBetweenCycles(f);
        var crashed = false;
        f.Store.AfterOperation = (operation, url) =>
        {
            if (operation == StoreOperation.Copy && !crashed)
            {
                crashed = true;
                throw new WorkerDied();
            }

            return Task.CompletedTask;
        };
        var engine = new RepeatingEngine(f, () => f.Store.Remove(f.Url(Destination)));

        var status = await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 2));

        Assert.True(crashed);
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Totals.AlreadyHandedOff);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Equal(1, f.Store.CreationCount(f.Url(Destination)));
    }

    [Fact]
    public async Task A_window_firing_repeated_after_it_landed_and_was_consumed_is_counted_once_as_already_fired()
    {
        // Cycles at end + 6 s (not due yet) and end + 9 s (due since end + 7 s).
        await using var f = await Fixture(null, DateTimeOffset.FromUnixTimeSeconds(1700000000) + TimeSpan.FromSeconds(6));
        f.Object(f.Tasks + "ds.t_987_1700000000.win", "{}", TimeSpan.FromMinutes(1));
        var batchCopy = f.Url("trig/_batch_/ds.t_987_1700000000.win");
        var engine = new RepeatingEngine(f, () => f.Store.Remove(batchCopy));

        var status = await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 2));

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal((0, 1), (status.Totals.WindowsFired, status.Totals.WindowsAlreadyFired));
        Assert.Equal(1, status.BatchCount);
        Assert.Equal(1, f.Store.CreationCount(batchCopy));
    }

    /// <summary>A trace whose job is RUNNING at the first cycle and DONE at the second.</summary>
    private static StoredObject TraceDoneBetweenCycles(DispatchFixture f)
    {
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.BigQuery.AddJob(new EmulatedJob("p1", JobId, "US", EmulatedJobType.Load, f.BigQuery.Options.CallerEmail, trace.Created)
        {
            RunningAt = trace.Created,
            DoneAt = f.Clock.UtcNow + TimeSpan.FromSeconds(1),
        });
        return trace;
    }

    /// <summary>Stands for a worker dying inside an activity: nothing in the dispatcher catches it.</summary>
    private sealed class WorkerDied : Exception;

    /// <summary>
    /// Runs every hand-off and window activity twice and reports only the second result, as an engine does after a lost
    /// result or a dead worker; the repeat is sent as <see cref="HandOffBatch.AsRepeat"/>.
    /// </summary>
    private sealed class RepeatingEngine(DispatchFixture f, Func<bool> betweenAttempts) : InterposedEngine(f)
    {
        public override async Task<HandOffOutcome> HandOff(HandOffBatch batch)
        {
            await Attempt(() => Inner.HandOff(batch));
            return await Inner.HandOff(batch.AsRepeat());
        }

        public override async Task<WindowOutcome> FireWindows(WindowBatch batch)
        {
            await Attempt(() => Inner.FireWindows(batch));
            return await Inner.FireWindows(batch.AsRepeat());
        }

        private async Task Attempt(Func<Task> first)
        {
            try
            {
                await first();
            }
            catch (WorkerDied)
            {
                // The engine learns nothing of this attempt.
            }

            betweenAttempts();
        }
    }
}

public sealed class RetriedActivityOnMemory() : RetriedActivityTests(StorageKind.Memory);

public sealed class RetriedActivityOnCloudStorage() : RetriedActivityTests(StorageKind.CloudStorage);
