using Xunit;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// A dispatcher dies at each step of a hand-off or a window firing; restarted (it waits for its old claims to run out),
/// it completes the work exactly once.
/// </summary>
public abstract class CrashRecoveryTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string TraceName = "proj:p1:US/ds.t--1_00001_load--dispatch";
    private const string DestinationPath = "trig/_bqjob_/2023-11-14_22/proj:p1:US/ds_t--1_00001_load--dispatch.json";
    private const string WindowName = "ds.t_987_1700000000.win";
    private const string BatchCopyPath = "trig/_batch_/ds.t_987_1700000000.win";

    public static TheoryData<StoreOperation, bool> Steps => new()
    {
        { StoreOperation.Copy, false },   // dies before the copy
        { StoreOperation.Copy, true },    // dies after the copy, before the delete
        { StoreOperation.Delete, false }, // dies before the delete
        { StoreOperation.Delete, true },  // dies after the delete, before reporting
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_hand_off_interrupted_at_any_step_is_completed_once_by_the_next_run(StoreOperation step, bool after)
    {
        await using var f = await Fixture();
        var trace = f.Trace(TraceName, TimeSpan.FromSeconds(10));
        var content = f.Read(trace.Url);
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        Crash(f.Store, step, after, url => url == trace.Url || url == f.Url(DestinationPath));

        await Assert.ThrowsAsync<CrashException>(() => f.Run());

        f.Store.BeforeOperation = null;
        f.Store.AfterOperation = null;
        f.WaitOutClaims();
        var status = await f.Run();

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Equal(content, f.Read(f.Url(DestinationPath)));
        Assert.Equal(1, f.Store.CreationCount(f.Url(DestinationPath)));
    }

    public static TheoryData<StoreOperation, bool> WindowSteps => new()
    {
        { StoreOperation.Copy, false },
        { StoreOperation.Copy, true },    // the _batch_ copy exists, the marker does not
        { StoreOperation.Create, false },
        { StoreOperation.Create, true },
    };

    [Theory]
    [MemberData(nameof(WindowSteps))]
    public async Task A_window_firing_interrupted_at_any_step_is_completed_once_by_the_next_run(StoreOperation step, bool after)
    {
        await using var f = await Fixture(null, DateTimeOffset.FromUnixTimeSeconds(1700000000) + TimeSpan.FromSeconds(8));
        f.Object(f.Tasks + WindowName, "{}", TimeSpan.FromMinutes(1));
        Crash(f.Store, step, after, _ => true);

        await Assert.ThrowsAsync<CrashException>(() => f.Run());

        f.Store.BeforeOperation = null;
        f.Store.AfterOperation = null;
        f.WaitOutClaims();
        var status = await f.Run();

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, f.Store.CreationCount(f.Url(BatchCopyPath)));
        Assert.True(f.Store.Exists(f.Tasks + WindowName[..^4] + ".wis"));
    }

    [Fact]
    public async Task A_hand_off_that_died_after_its_copy_is_not_copied_again_after_BqTail_consumed_it()
    {
        await using var f = await Fixture();
        var trace = f.Trace(TraceName, TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        Crash(f.Store, StoreOperation.Copy, after: true, url => url == f.Url(DestinationPath));
        await Assert.ThrowsAsync<CrashException>(() => f.Run());

        // BqTail runs the post actions and deletes the trigger object before the dispatcher is back.
        Assert.True(f.Store.Remove(f.Url(DestinationPath)));
        f.Store.AfterOperation = null;
        f.WaitOutClaims();
        var status = await f.Run();

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Totals.AlreadyHandedOff);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Equal(1, f.Store.CreationCount(f.Url(DestinationPath)));
    }

    [Fact]
    public async Task A_window_firing_that_died_after_its_copy_is_not_fired_again_after_BqTail_consumed_it()
    {
        await using var f = await Fixture(null, DateTimeOffset.FromUnixTimeSeconds(1700000000) + TimeSpan.FromSeconds(8));
        f.Object(f.Tasks + WindowName, "{}", TimeSpan.FromMinutes(1));
        Crash(f.Store, StoreOperation.Copy, after: true, _ => true);
        await Assert.ThrowsAsync<CrashException>(() => f.Run());

        Assert.True(f.Store.Remove(f.Url(BatchCopyPath)));
        f.Store.AfterOperation = null;
        f.WaitOutClaims();
        var status = await f.Run();

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Totals.WindowsAlreadyFired);
        Assert.Equal(1, f.Store.CreationCount(f.Url(BatchCopyPath)));
        Assert.True(f.Store.Exists(f.Tasks + WindowName[..^4] + ".wis"));
    }

    private static void Crash(TestStorage store, StoreOperation step, bool after, Func<string, bool> matches)
    {
        Func<StoreOperation, string, Task> hook = (operation, url) =>
            operation == step && matches(url) ? throw new CrashException() : Task.CompletedTask;
        if (after)
        {
            store.AfterOperation = hook;
        }
        else
        {
            store.BeforeOperation = hook;
        }
    }

    /// <summary>Stands for the process dying: nothing in the dispatcher catches it.</summary>
    private sealed class CrashException : Exception;
}

public sealed class CrashRecoveryOnMemory() : CrashRecoveryTests(StorageKind.Memory);

public sealed class CrashRecoveryOnCloudStorage() : CrashRecoveryTests(StorageKind.CloudStorage);
