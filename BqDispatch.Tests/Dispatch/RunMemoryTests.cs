using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

public class RunMemoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static TraceWork Trace(string name, DateTimeOffset? ended, long generation = 1) =>
        new($"mem://d/T/{name}", name, "p", "US", name, "load", JobKind.Load, T0 - TimeSpan.FromMinutes(5), generation, ended);

    [Fact]
    public void Work_is_late_when_it_fell_due_before_the_previous_cycle_or_no_cycle_is_known()
    {
        Assert.True(LookFirstRules.IsLate(T0, previousCycleStarted: null));
        Assert.True(LookFirstRules.IsLate(T0 - TimeSpan.FromSeconds(1), T0));
        Assert.False(LookFirstRules.IsLate(T0, T0));
        Assert.False(LookFirstRules.IsLate(T0 + TimeSpan.FromSeconds(1), T0));
    }

    [Fact]
    public void A_failed_hand_off_looks_first_when_tried_again_until_it_succeeds()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        memory.StartCycle(T0);
        var now = T0 + TimeSpan.FromSeconds(3);
        var previous = memory.StartCycle(now);
        var inTime = Trace("t", ended: T0 + TimeSpan.FromSeconds(1));

        Assert.Equal(T0, previous);
        Assert.False(memory.Mark(inTime, previous, now).LookFirst);
        memory.Record(inTime, HandOffStatus.Failed, T0);
        Assert.True(memory.Mark(inTime, previous, now).LookFirst);
        memory.Record(inTime, HandOffStatus.HandedOff, T0);
        Assert.False(memory.Mark(inTime, previous, now).LookFirst);
        Assert.True(memory.IsFinished(inTime));
        Assert.False(memory.IsFinished(inTime with { Generation = 2 }));
    }

    [Fact]
    public void Work_found_done_or_gone_shows_another_dispatcher_and_everything_looks_first_for_a_while()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        memory.StartCycle(T0);
        var inTime = Trace("t", ended: T0 + TimeSpan.FromSeconds(1));
        var window = new WindowWork("mem://d/T/w_1_1.win", "w_1_1.win", T0, 1, "p", "w/batching");

        memory.Record(Trace("other", null), HandOffStatus.AlreadyHandedOff, T0);
        var contended = T0 + LookFirstRules.ContentionMemory - TimeSpan.FromSeconds(1);
        var calm = T0 + LookFirstRules.ContentionMemory;

        Assert.True(memory.Mark(inTime, T0, contended).LookFirst);
        Assert.False(memory.Mark(inTime, T0, calm).LookFirst);
        memory.Record(window, WindowStatus.WindowGone, calm);
        Assert.True(memory.Mark(inTime, T0, calm).LookFirst);
        Assert.Equal(calm, memory.CarryOver(calm).LastContention);
    }

    [Fact]
    public void The_carry_over_restores_the_memory_and_stays_bounded()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        memory.StartCycle(T0 + TimeSpan.FromMinutes(2));
        memory.Record(Trace("old", null), HandOffStatus.HandedOff, T0);
        for (var i = 0; i < RunCarryOver.MaxEntries + 5; i++)
        {
            memory.Record(Trace($"t{i}", null), HandOffStatus.HandedOff, T0 + TimeSpan.FromMinutes(2));
        }

        memory.Record(Trace("failed", null), HandOffStatus.Failed, T0);
        memory.Await(new AwaitedFollowUp("mem://d/T/a", "p", "mem://t/_bqjob_/h/p/a.json", "1_00002", T0 + TimeSpan.FromMinutes(2)));

        var carried = memory.CarryOver(T0 + TimeSpan.FromMinutes(2));
        var next = RunMemory.From(carried, T0 + TimeSpan.FromMinutes(2));

        Assert.Equal(T0 + TimeSpan.FromMinutes(2), carried.LastCycleStarted);
        Assert.Equal(RunCarryOver.MaxEntries, carried.Finished.Count);
        Assert.DoesNotContain("mem://d/T/old#1", carried.Finished);
        Assert.True(next.IsFinished(Trace("t0", null)));
        Assert.Equal(["mem://d/T/failed#1"], carried.Uncertain);
        Assert.True(next.Mark(Trace("failed", T0 + TimeSpan.FromHours(1)), T0 + TimeSpan.FromMinutes(2), T0 + TimeSpan.FromMinutes(2)).LookFirst);
        Assert.Equal(["mem://d/T/a"], next.Awaited(T0 + TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)).Select(a => a.Key));
    }

    [Fact]
    public void Awaited_follow_ups_are_forgotten_after_the_reservation_ttl_or_once_settled()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        memory.Await(new AwaitedFollowUp("a", "p1", "mem://t/a", null, T0));
        memory.Await(new AwaitedFollowUp("b", "p2", "mem://t/b", null, T0 + TimeSpan.FromSeconds(20)));
        memory.Await(new AwaitedFollowUp("c", "p2", "mem://t/c", null, T0 + TimeSpan.FromSeconds(20)));

        var settled = memory.Settle(["b", "unknown"]);
        var left = memory.Awaited(T0 + TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

        Assert.Equal(["b"], settled["p2"]);
        Assert.Single(settled);
        Assert.Equal(["c"], left.Select(a => a.Key));
    }
}
