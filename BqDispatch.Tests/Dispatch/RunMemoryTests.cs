using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

public class RunMemoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static TraceWork Trace(string name, long metageneration = 1, DateTimeOffset? updated = null) =>
        new($"mem://d/T/{name}", name, "p", "US", name, "load", JobKind.Load, T0 - TimeSpan.FromMinutes(5), 1,
            Metageneration: metageneration, Updated: updated ?? T0 - TimeSpan.FromMinutes(5));

    [Fact]
    public void Work_claimed_within_the_lease_is_held_elsewhere_unless_this_dispatchers_own_attempt_failed()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        var claimed = Trace("t", metageneration: 2, updated: T0);

        Assert.False(memory.IsHeldElsewhere(Trace("free"), T0));
        Assert.True(memory.IsHeldElsewhere(claimed, T0 + HandOffClaims.Lease - TimeSpan.FromSeconds(1)));
        Assert.False(memory.IsHeldElsewhere(claimed, T0 + HandOffClaims.Lease));

        memory.Record(claimed, HandOffStatus.Failed, T0);
        Assert.False(memory.IsHeldElsewhere(claimed, T0));
        Assert.True(memory.Mark(claimed).LookFirst);

        memory.Record(claimed, HandOffStatus.HandedOff, T0);
        Assert.False(memory.Mark(claimed).LookFirst);
        Assert.True(memory.IsFinished(claimed));
        Assert.False(memory.IsFinished(claimed with { Generation = 2 }));
    }

    [Fact]
    public void Work_left_to_another_dispatcher_is_not_finished()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);

        memory.Record(Trace("t"), HandOffStatus.ClaimedElsewhere, T0);

        Assert.False(memory.IsFinished(Trace("t")));
        Assert.False(memory.Mark(Trace("t")).LookFirst);
    }

    [Fact]
    public void The_carry_over_restores_the_memory_and_stays_bounded()
    {
        var memory = RunMemory.From(RunCarryOver.None, T0);
        memory.Record(Trace("old"), HandOffStatus.HandedOff, T0);
        for (var i = 0; i < RunCarryOver.MaxEntries + 5; i++)
        {
            memory.Record(Trace($"t{i}"), HandOffStatus.HandedOff, T0 + TimeSpan.FromMinutes(2));
        }

        memory.Record(Trace("failed"), HandOffStatus.Failed, T0);
        memory.Await(new AwaitedFollowUp("mem://d/T/a", "p", "mem://t/_bqjob_/h/p/a.json", "1_00002", T0 + TimeSpan.FromMinutes(2)));

        var carried = memory.CarryOver(T0 + TimeSpan.FromMinutes(2));
        var next = RunMemory.From(carried, T0 + TimeSpan.FromMinutes(2));

        Assert.Equal(RunCarryOver.MaxEntries, carried.Finished.Count);
        Assert.DoesNotContain("mem://d/T/old#1", carried.Finished);
        Assert.True(next.IsFinished(Trace("t0")));
        Assert.Equal(["mem://d/T/failed#1"], carried.Uncertain);
        Assert.True(next.Mark(Trace("failed")).LookFirst);
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
