using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

public class WindowScheduleTests
{
    private const string Tasks = "mem://" + DispatchFixture.TasksPath;
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeSeconds(1700000000);

    private static WindowObject Window(string name)
    {
        WindowName.TryParse(name, out var parsed);
        return new WindowObject(new StoredObject(Tasks + name, name, 1, 2, End, End), parsed!);
    }

    private static StoredObject Marker(string name, DateTimeOffset updated) => new(Tasks + name, name, 2, 1, updated, updated);

    [Theory]
    [InlineData(7, "not due")]
    [InlineData(8, "due")]
    [InlineData(86400 * 3, "due")]
    public void A_window_without_a_marker_is_due_seven_seconds_after_its_end_however_old(int secondsAfterEnd, string expected)
    {
        var schedule = WindowSchedule.Classify([Window("ds.t_1_1700000000.win")], [], End.AddSeconds(secondsAfterEnd), DispatchFixture.ConfigWith(null));
        Assert.Equal(expected == "due" ? 1 : 0, schedule.Due.Count);
        Assert.Equal(expected == "due" ? 0 : 1, schedule.NotDue);
    }

    [Fact]
    public void Due_windows_are_oldest_end_first_with_their_project_and_batching_key()
    {
        var schedule = WindowSchedule.Classify(
            [Window("p1:ds.t_1_1700000060.win"), Window("ds.t_1_1700000000.win")], [], End.AddMinutes(5), DispatchFixture.ConfigWith(null));

        Assert.Equal(["ds.t_1_1700000000.win", "p1:ds.t_1_1700000060.win"], schedule.Due.Select(w => w.ObjectName));
        Assert.Equal(("cfgp", "ds/batching"), (schedule.Due[0].Project, schedule.Due[0].BatchingKey));
        Assert.Equal(("p1", "p1/batching"), (schedule.Due[1].Project, schedule.Due[1].BatchingKey));
    }

    [Fact]
    public void A_fired_window_is_scheduled_until_the_trigger_delay_then_stalled()
    {
        var config = DispatchFixture.ConfigWith(new { MaxTriggerDelayMs = 15000 });
        var window = Window("ds.t_1_1700000000.win");
        var marker = Marker("ds.t_1_1700000000.wis", End.AddSeconds(8));

        Assert.Equal(1, WindowSchedule.Classify([window], [marker], End.AddSeconds(15), config).Scheduled);
        var stalled = Assert.Single(WindowSchedule.Classify([window], [marker], End.AddSeconds(16), config).Stalled);
        Assert.Equal((window.Object.Url, marker.Url), (stalled.Window.Url, stalled.Marker.Url));
    }

    [Fact]
    public void Only_markers_without_a_window_and_older_than_their_ttl_are_orphans()
    {
        var now = End.AddDays(2);
        var schedule = WindowSchedule.Classify(
            [Window("ds.a_1_1700000000.win")],
            [Marker("ds.a_1_1700000000.wis", now.AddHours(-30)), Marker("ds.b_1_1700000000.wis", now.AddHours(-25)), Marker("ds.c_1_1700000000.wis", now.AddHours(-23))],
            now,
            DispatchFixture.ConfigWith(null));

        Assert.Equal([Tasks + "ds.b_1_1700000000.wis"], schedule.OrphanMarkers.Select(m => m.Url));
    }
}
