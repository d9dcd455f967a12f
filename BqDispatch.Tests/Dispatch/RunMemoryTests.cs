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
        Assert.True(LateWork.IsLate(T0, previousCycleStarted: null));
        Assert.True(LateWork.IsLate(T0 - TimeSpan.FromSeconds(1), T0));
        Assert.False(LateWork.IsLate(T0, T0));
        Assert.False(LateWork.IsLate(T0 + TimeSpan.FromSeconds(1), T0));
    }

    [Fact]
    public void A_failed_hand_off_is_late_when_tried_again_until_it_succeeds()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        memory.StartCycle(T0);
        var previous = memory.StartCycle(T0 + TimeSpan.FromSeconds(3));
        var inTime = Trace("t", ended: T0 + TimeSpan.FromSeconds(1));

        Assert.Equal(T0, previous);
        Assert.False(memory.Mark(inTime, previous).Late);
        memory.Record(inTime, failed: true, T0);
        Assert.True(memory.Mark(inTime, previous).Late);
        memory.Record(inTime, failed: false, T0);
        Assert.False(memory.Mark(inTime, previous).Late);
        Assert.True(memory.IsFinished(inTime));
        Assert.False(memory.IsFinished(inTime with { Generation = 2 }));
    }

    [Fact]
    public void The_carry_over_restores_the_memory_and_stays_bounded()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        memory.StartCycle(T0 + TimeSpan.FromMinutes(2));
        memory.Record(Trace("old", null), failed: false, T0);
        for (var i = 0; i < RunCarryOver.MaxEntries + 5; i++)
        {
            memory.Record(Trace($"t{i}", null), failed: false, T0 + TimeSpan.FromMinutes(2));
        }

        memory.Record(Trace("failed", null), failed: true, T0);
        memory.Await(new AwaitedFollowUp("mem://d/T/a", "p", "mem://t/_bqjob_/h/p/a.json", "1_00002", T0 + TimeSpan.FromMinutes(2)));

        var carried = memory.CarryOver(T0 + TimeSpan.FromMinutes(2));
        var next = RunMemory.From(carried, T0 + TimeSpan.FromMinutes(2));

        Assert.Equal(T0 + TimeSpan.FromMinutes(2), carried.LastCycleStarted);
        Assert.Equal(RunCarryOver.MaxEntries, carried.Finished.Count);
        Assert.DoesNotContain("mem://d/T/old#1", carried.Finished);
        Assert.True(next.IsFinished(Trace("t0", null)));
        Assert.Equal(["mem://d/T/failed#1"], carried.Uncertain);
        Assert.True(next.Mark(Trace("failed", T0 + TimeSpan.FromHours(1)), T0 + TimeSpan.FromMinutes(2)).Late);
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
