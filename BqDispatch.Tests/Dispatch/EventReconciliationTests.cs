using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Events;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

/// <summary>
/// The cycles with completion events on: they leave to an event what it is at work on, take over what it could not
/// finish, tell the ledger their hand-offs, and pace themselves when idle without letting a known window fire late.
/// </summary>
public class EventReconciliationTests
{
    private const string Name = "proj:p1:US/ds.t--1_00001_load--dispatch";
    private const string JobId = "ds_t--1_00001_load--dispatch";
    private static readonly object Events = new { EventSubscription = "projects/p1/subscriptions/done", ThinkTimeMs = 0 };

    [Fact]
    public async Task A_trace_an_event_is_at_work_on_is_left_to_it_until_its_head_start_passes()
    {
        await using var f = await DispatchFixture.Create(StorageKind.Memory, Events);
        f.Trace(Name, TimeSpan.FromMinutes(1));
        f.Job("p1", JobId, EmulatedJobType.Load, EmulatedJobState.Done);
        var key = CompletionLedger.Key("p1", JobId);
        f.Ledger.Update(l => l.SightEvent(new EventSighting(key, null, f.Clock.UtcNow)));

        var left = await f.Run();
        f.Clock.Advance(CompletionLedger.EventHeadStart);
        var taken = await f.Run();

        Assert.Equal(0, left.Totals.HandedOff);
        Assert.Equal(1, taken.Totals.HandedOff);
        Assert.Equal(1, taken.Completions!.Event.Count);
    }

    [Fact]
    public async Task The_sweep_hands_off_what_no_event_saw_and_the_ledger_counts_it_for_the_poll_path()
    {
        await using var f = await DispatchFixture.Create(StorageKind.Memory, Events);
        f.Trace(Name, TimeSpan.FromMinutes(1));
        f.Job("p1", JobId, EmulatedJobType.Load, EmulatedJobState.Done);

        var status = await f.Run();

        Assert.Equal(1, status.Totals.HandedOff);
        Assert.Equal((0, 1), (status.Completions!.Event.Count, status.Completions.Poll.Count));
        Assert.True(f.Ledger.Read(l => l.SightEvent(new EventSighting(CompletionLedger.Key("p1", JobId), null, f.Clock.UtcNow))));
    }

    [Fact]
    public async Task Without_events_the_status_has_no_completion_figures()
    {
        await using var f = await DispatchFixture.Create(StorageKind.Memory);
        f.Trace(Name, TimeSpan.FromMinutes(1));
        f.Job("p1", JobId, EmulatedJobType.Load, EmulatedJobState.Done);

        var status = await f.Run();

        Assert.Equal(1, status.Totals.HandedOff);
        Assert.Null(status.Completions);
    }

    [Theory]
    [InlineData(false, true, null, 3_000)]
    [InlineData(true, false, null, 3_000)]
    [InlineData(true, true, null, 17_000)]
    [InlineData(true, true, 9_000, 9_000)]
    [InlineData(true, true, 1_000, 3_000)]
    [InlineData(true, true, 60_000, 17_000)]
    public void After_an_idle_cycle_with_events_on_the_pause_is_the_sweep_pause_cut_short_by_a_window_falling_due(
        bool events, bool idle, int? windowDueInMs, int expectedMs)
    {
        var now = DispatchFixture.Start;
        var settings = RunSettings.From(DispatchFixture.ConfigWith(new { CyclePauseMs = 3_000 })) with
        {
            Events = events,
            EventSweepPause = TimeSpan.FromSeconds(17),
        };
        var end = new CycleEnd(false, null, idle, windowDueInMs is { } ms ? now.AddMilliseconds(ms) : null);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), DispatchRun.PauseAfter(settings, end, now));
    }
}
