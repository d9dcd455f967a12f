using Xunit;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;

namespace BqDispatch.Tests.Acceptance;

/// <summary>Reference §8.5, batch windows B1–B11, with the [PORT] behaviour (W7, W9, W11 fixed).</summary>
public abstract class BatchWindowTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string WindowName = "ds.t_987_1700000000.win";
    private const string MarkerName = "ds.t_987_1700000000.wis";
    private const string BatchCopyPath = "trig/_batch_/ds.t_987_1700000000.win";
    private const string WindowJson = """{"DestTable":"ds.t","Start":"2023-11-14T22:11:45Z","End":"2023-11-14T22:13:20Z"}""";
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeSeconds(1700000000);

    private async Task<DispatchFixture> At(TimeSpan afterEnd, object? settings = null)
    {
        var f = await Fixture(settings, End + afterEnd);
        f.Object(Window(f), WindowJson, afterEnd + TimeSpan.FromSeconds(60));
        return f;
    }

    private static string Window(DispatchFixture f) => f.Tasks + WindowName;

    private static string Marker(DispatchFixture f) => f.Tasks + MarkerName;

    private static string BatchCopy(DispatchFixture f) => f.Url(BatchCopyPath);

    [Fact]
    public async Task B1_a_window_is_not_fired_before_its_end_plus_the_visibility_delay()
    {
        await using var f = await At(TimeSpan.FromSeconds(5));
        var status = await f.Run();
        Assert.False(f.Store.Exists(Marker(f)));
        Assert.False(f.Store.Exists(BatchCopy(f)));
        Assert.Empty(status.Batched);
    }

    [Fact]
    public async Task B2_a_due_window_is_copied_then_marked_and_kept()
    {
        await using var f = await At(TimeSpan.FromSeconds(8));
        var status = await f.Run();

        Assert.Equal(WindowJson, f.Read(BatchCopy(f)));
        Assert.Equal(".", f.Read(Marker(f)));
        Assert.True(f.Store.Exists(Window(f)));
        Assert.Equal(End.UtcDateTime, status.Batched[Window(f)]);
        var batching = status.Performance["ds/batching"].Running;
        Assert.Equal((1, 1), (batching.LoadJobs, batching.BatchJobs));
        Assert.Equal(1, status.BatchCount);
    }

    [Fact]
    public async Task B3_a_window_another_dispatcher_fired_is_marked_without_a_second_copy()
    {
        await using var f = await At(TimeSpan.FromSeconds(8));
        f.Object(BatchCopy(f), WindowJson, TimeSpan.FromSeconds(1));

        var status = await f.Run();

        Assert.Equal(1, f.Store.CreationCount(BatchCopy(f)));
        Assert.True(f.Store.Exists(Marker(f)));
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Totals.WindowsAlreadyFired);
    }

    [Fact]
    public async Task B4_a_scheduled_window_is_left_alone_before_the_trigger_delay()
    {
        await using var f = await At(TimeSpan.FromSeconds(60));
        f.Object(Marker(f), ".", TimeSpan.FromSeconds(50));

        await f.Run();

        Assert.True(f.Store.Exists(Window(f)));
        Assert.True(f.Store.Exists(Marker(f)));
        Assert.False(f.Store.Exists(BatchCopy(f)));
    }

    [Theory]
    [InlineData(121, 0)]
    [InlineData(16, 15000)]
    public async Task B5_a_stalled_pair_is_removed_after_the_trigger_delay(int secondsAfterEnd, int maxTriggerDelayMs)
    {
        await using var f = await At(TimeSpan.FromSeconds(secondsAfterEnd), new { MaxTriggerDelayMs = maxTriggerDelayMs });
        f.Object(Marker(f), ".", TimeSpan.FromSeconds(secondsAfterEnd - 8));

        var status = await f.Run();

        Assert.False(f.Store.Exists(Window(f)));
        Assert.False(f.Store.Exists(Marker(f)));
        Assert.False(f.Store.Exists(BatchCopy(f)));
        Assert.Equal(1, status.Totals.StalledPairsRemoved);
    }

    [Fact]
    public async Task B6_a_failed_copy_leaves_no_marker_so_the_window_is_fired_later()
    {
        await using var f = await At(TimeSpan.FromSeconds(8));
        f.Store.BeforeOperation = (operation, url) => operation == StoreOperation.Copy
            ? throw new StorageException(url, 404, "bucket trig not found")
            : Task.CompletedTask;

        var failed = await f.Run();

        Assert.Equal(StatusDocument.Failed, failed.Status);
        Assert.False(f.Store.Exists(Marker(f)));
        Assert.Equal(1, failed.Totals.WindowsFailed);

        f.Store.BeforeOperation = null;
        f.Clock.Advance(TimeSpan.FromMinutes(5));
        var retried = await f.Run();
        Assert.Equal(StatusDocument.Ok, retried.Status);
        Assert.Equal(WindowJson, f.Read(BatchCopy(f)));
        Assert.True(f.Store.Exists(Marker(f)));
    }

    [Fact]
    public async Task B7_due_windows_take_load_slots_and_the_rest_wait_for_them()
    {
        await using var f = await Fixture(new { MaxConcurrentLoad = 3 }, End + TimeSpan.FromSeconds(8));
        var windows = Enumerable.Range(0, 5)
            .Select(i => f.Object($"{f.Tasks}ds.t_{i}_1700000000.win", WindowJson, TimeSpan.FromMinutes(1)).Url)
            .ToList();

        var first = await f.Run();
        Assert.Equal(3, first.BatchCount);
        Assert.Equal(2, first.Performance["ds/batching"].Throttled.BatchJobs);
        Assert.Equal(2, first.Totals.Backlog);

        // The three loads show up in BigQuery and run: the two other windows keep waiting.
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var loads = Enumerable.Range(0, 3)
            .Select(i => f.Job("cfgp", $"load_{i}", EmulatedJobType.Load, EmulatedJobState.Running, created: f.Clock.UtcNow - TimeSpan.FromSeconds(5)))
            .ToList();
        var second = await f.Run();
        Assert.Equal(0, second.BatchCount);

        // They finish: the rest are fired, oldest first.
        foreach (var load in loads)
        {
            f.BigQuery.SetJobState("cfgp", load.JobId, EmulatedJobState.Done);
        }

        var third = await f.Run();
        Assert.Equal(2, third.BatchCount);
        Assert.All(windows, w => Assert.True(f.Store.Exists(w[..^4] + ".wis")));
    }

    [Fact]
    public async Task B8_a_window_name_without_an_end_time_is_an_error_and_never_fired()
    {
        await using var f = await Fixture();
        f.Object(f.Tasks + "ds.t.win", WindowJson, TimeSpan.FromHours(1));

        var status = await f.Run();

        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Contains("ds.t.win", Assert.Single(status.Errors), StringComparison.Ordinal);
        Assert.Empty(f.ObjectsUnder(f.Url("trig/")));
    }

    [Fact]
    public async Task B9_orphan_markers_go_after_a_day_but_windows_are_never_dropped()
    {
        await using var f = await At(TimeSpan.FromHours(25));
        var orphan = f.Object(f.Tasks + "ds.o_1_1699900000.wis", ".", TimeSpan.FromHours(25)).Url;
        var youngOrphan = f.Object(f.Tasks + "ds.y_1_1699990000.wis", ".", TimeSpan.FromHours(23)).Url;

        var status = await f.Run();

        Assert.False(f.Store.Exists(orphan));
        Assert.True(f.Store.Exists(youngOrphan));
        Assert.Equal(WindowJson, f.Read(BatchCopy(f)));
        Assert.Equal(1, status.Totals.OrphanMarkersRemoved);
    }

    [Theory]
    [InlineData(DispatchFixture.TasksPath + "p1:ds.t_1_1700000000.win", "p1/batching")]
    [InlineData(DispatchFixture.TasksPath + "ds.t_1_1700000000.win", "ds/batching")]
    [InlineData("disp/queue/ds.t_1_1700000000.win", "cfgp/batching")]
    public async Task B10_windows_are_reported_under_bqtail_batching_keys(string windowPath, string key)
    {
        var windowUrl = $"{DispatchFixture.SchemeOf(Kind)}://{windowPath}";
        await using var f = await Fixture(new { AsyncTaskURL = windowUrl[..(windowUrl.LastIndexOf('/') + 1)] }, End + TimeSpan.FromSeconds(8));
        f.Object(windowUrl, WindowJson, TimeSpan.FromMinutes(1));

        var status = await f.Run();

        Assert.Equal(1, status.Performance[key].Running.BatchJobs);
    }

    [Fact]
    public async Task B11_only_the_win_suffix_becomes_wis()
    {
        await using var f = await Fixture(null, End + TimeSpan.FromSeconds(8));
        f.Object(f.Tasks + "ds.winners_1_1700000000.win", WindowJson, TimeSpan.FromMinutes(1));

        await f.Run();

        Assert.True(f.Store.Exists(f.Tasks + "ds.winners_1_1700000000.wis"));
        Assert.False(f.Store.Exists(f.Tasks + "ds.wisners_1_1700000000.win"));
        Assert.True(f.Store.Exists(f.Url("trig/_batch_/ds.winners_1_1700000000.win")));
    }
}

public sealed class BatchWindowsOnMemory() : BatchWindowTests(StorageKind.Memory);

public sealed class BatchWindowsOnCloudStorage() : BatchWindowTests(StorageKind.CloudStorage);
