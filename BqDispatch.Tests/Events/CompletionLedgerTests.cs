using BqDispatch.Core.Events;
using Xunit;

namespace BqDispatch.Tests.Events;

/// <summary>The ledger that keeps the sweep and the events from both acting, and counts each hand-off once, for the path that saw it first.</summary>
public class CompletionLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_sweep_leaves_a_job_to_the_event_that_saw_it_first_until_the_head_start_passes()
    {
        var ledger = new CompletionLedger();
        var key = CompletionLedger.Key("p1", "j1");

        Assert.True(ledger.Sight(key, CompletionPath.Event, T0.AddSeconds(-1), T0));
        Assert.False(ledger.Sight(key, CompletionPath.Poll, T0.AddSeconds(-1), T0.AddSeconds(3)));
        Assert.True(ledger.Sight(key, CompletionPath.Poll, T0.AddSeconds(-1), T0 + CompletionLedger.EventHeadStart));
    }

    [Fact]
    public void An_event_that_finds_no_trace_for_a_job_the_sweep_saw_first_is_not_counted_unknown()
    {
        var ledger = new CompletionLedger();
        var swept = CompletionLedger.Key("p1", "j1");
        var stranger = CompletionLedger.Key("p1", "j2");
        ledger.Sweep(new SweepRequest(T0, [new SweptJob(swept, null, T0)], []));

        foreach (var key in new[] { swept, stranger })
        {
            ledger.SightEvent(new EventSighting(key, null, T0.AddSeconds(1)));
            ledger.Settle(new EventSettlement(key, EventResult.UnknownJob, null, T0.AddSeconds(1)));
        }

        Assert.Equal(1, ledger.Events.UnknownJobs);
    }

    [Fact]
    public void The_sweep_takes_over_at_once_when_the_event_could_not_hand_off()
    {
        var ledger = new CompletionLedger();
        var key = CompletionLedger.Key("p1", "j1");
        ledger.Sight(key, CompletionPath.Event, null, T0);

        ledger.Release(key);

        Assert.True(ledger.Sight(key, CompletionPath.Poll, null, T0.AddSeconds(1)));
    }

    [Fact]
    public void Nobody_acts_on_a_job_handed_off_and_its_lag_counts_once_for_the_first_path()
    {
        var ledger = new CompletionLedger();
        var key = CompletionLedger.Key("p1", "j1");
        ledger.Sight(key, CompletionPath.Event, T0, T0.AddMilliseconds(400));

        ledger.HandedOff(key, T0, T0.AddMilliseconds(900));
        ledger.HandedOff(key, T0, T0.AddSeconds(5));

        Assert.False(ledger.Sight(key, CompletionPath.Poll, T0, T0.AddSeconds(30)));
        Assert.False(ledger.Sight(key, CompletionPath.Event, T0, T0.AddSeconds(30)));
        var report = ledger.Report();
        Assert.Equal(new PathSummary(1, 900, 900, 900), report.Event);
        Assert.Equal(new PathSummary(0, 0, 0, 0), report.Poll);
    }

    [Fact]
    public void Percentiles_are_nearest_rank_over_the_newest_samples()
    {
        var ledger = new CompletionLedger();
        for (var i = 1; i <= 100; i++)
        {
            var key = CompletionLedger.Key("p1", $"j{i}");
            ledger.Sight(key, CompletionPath.Poll, T0, T0);
            ledger.HandedOff(key, T0, T0.AddMilliseconds(i * 10));
        }

        Assert.Equal(new PathSummary(100, 500, 950, 1000), ledger.Report().Poll);
    }

    [Fact]
    public void Old_jobs_are_forgotten_and_the_ledger_stays_bounded()
    {
        var ledger = new CompletionLedger();
        for (var i = 0; i < CompletionLedger.MaxJobs + 10; i++)
        {
            ledger.Sight(CompletionLedger.Key("p1", $"j{i}"), CompletionPath.Poll, null, T0.AddMilliseconds(i));
        }

        Assert.True(ledger.Jobs.Count <= CompletionLedger.MaxJobs);
        ledger.Sight(CompletionLedger.Key("p1", "late"), CompletionPath.Poll, null, T0 + CompletionLedger.Memory + TimeSpan.FromMinutes(2));
        Assert.Single(ledger.Jobs);
    }

    [Fact]
    public void A_cycle_leaves_to_the_events_the_jobs_they_work_on_and_records_its_own_hand_offs_next_round()
    {
        var ledger = new CompletionLedger();
        var byEvent = CompletionLedger.Key("p1", "e");
        var released = CompletionLedger.Key("p1", "r");
        var polled = CompletionLedger.Key("p1", "p");
        Assert.False(ledger.SightEvent(new EventSighting(byEvent, T0, T0)));
        Assert.False(ledger.SightEvent(new EventSighting(released, T0, T0)));
        ledger.Settle(new EventSettlement(released, EventResult.Held, T0, T0.AddMilliseconds(50)));

        var first = ledger.Sweep(new SweepRequest(T0.AddSeconds(2), [new(byEvent, T0, T0), new(released, T0, T0), new(polled, T0, T0)], []));
        var next = ledger.Sweep(new SweepRequest(T0.AddSeconds(5), [], [new(polled, T0, T0.AddSeconds(3)), new(released, T0, T0.AddSeconds(3))]));

        Assert.Equal([byEvent], first.LeaveToEvents);
        // The released job was seen by its event first: its lag counts for the event path, whoever handed it off.
        Assert.Equal(new PathSummary(1, 3000, 3000, 3000), next.Report.Poll);
        Assert.Equal(new PathSummary(1, 3000, 3000, 3000), next.Report.Event);
        Assert.True(ledger.SightEvent(new EventSighting(polled, T0, T0.AddSeconds(6))));
    }

    [Fact]
    public void A_redelivered_event_is_a_duplicate_and_the_dispatchers_own_retry_is_not()
    {
        var ledger = new CompletionLedger();
        var key = CompletionLedger.Key("p1", "j1");

        ledger.SightEvent(new EventSighting(key, T0, T0));
        ledger.Settle(new EventSettlement(key, EventResult.TooYoung, T0, T0));
        ledger.SightEvent(new EventSighting(key, T0, T0.AddSeconds(1), Retry: true));
        ledger.SightEvent(new EventSighting(key, T0, T0.AddSeconds(2)));
        ledger.Settle(new EventSettlement(key, EventResult.UnknownJob, T0, T0.AddSeconds(2)));

        Assert.Equal(new EventCounts(Duplicates: 1, UnknownJobs: 1), ledger.Events);
        Assert.Contains(key, ledger.Released);
    }
}
