using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

public class FollowUpEvidenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static AwaitedFollowUp Awaited(string key, string trigger, string? nextStep) => new(key, "p", trigger, nextStep, T0);

    private static TraceName Trace(string relativeName)
    {
        Assert.True(TraceName.TryParse(relativeName, out var trace));
        return trace!;
    }

    [Fact]
    public void A_follow_up_is_settled_when_its_trigger_object_is_gone_or_its_next_steps_trace_exists()
    {
        var awaited = new[]
        {
            Awaited("consumed", "mem://t/_bqjob_/h/p/a.json", "1_00002"),
            Awaited("next step written", "mem://t/_bqjob_/h/p/b.json", "2_00002"),
            Awaited("waiting", "mem://t/_bqjob_/h/p/c.json", "3_00002"),
            Awaited("window waiting", "mem://t/_batch_/w.win", null),
        };
        var present = new HashSet<string>(StringComparer.Ordinal)
        {
            "mem://t/_bqjob_/h/p/b.json", "mem://t/_bqjob_/h/p/c.json", "mem://t/_batch_/w.win",
        };

        // The follow-up of event 2 loads into another table than step 1 did: the event and step are what match.
        var traces = new[] { Trace("proj:p:US/ds.other--2_00002_copy--dispatch"), Trace("proj:p:US/ds.t--3_00003_query--dispatch") };
        var seen = traces.Select(t => JobIdCodec.EventStep(t.Info)).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(["1_00002", "2_00002", "3_00002"], FollowUpEvidence.AwaitedSteps(awaited).Order());
        Assert.Equal(["consumed", "next step written"], FollowUpEvidence.Settled(awaited, present, seen));
    }

    [Fact]
    public void The_next_step_is_the_step_after_the_traces_own()
    {
        var trace = new TraceWork("mem://d/T/x", "x", "p", "US", "ds_t--42_00007_load--dispatch", "load", JobKind.Load, T0, 1);

        Assert.Equal("42_00008", FollowUpEvidence.NextStepOf(trace));
    }

    [Fact]
    public async Task Trigger_objects_are_listed_once_per_folder_and_a_folder_that_fails_keeps_them_present()
    {
        var store = new MemoryStore(() => T0);
        store.CreateBucket("t");
        store.Seed("mem://t/_bqjob_/h/p/a.json", "x"u8);
        var awaited = new[]
        {
            Awaited("a", "mem://t/_bqjob_/h/p/a.json", null),
            Awaited("b", "mem://t/_bqjob_/h/p/b.json", null),
            Awaited("c", "mem://missing-bucket/_batch_/c.win", null),
        };
        var listed = new List<string>();
        store.BeforeOperation = (_, url) =>
        {
            listed.Add(url);
            return Task.CompletedTask;
        };

        var present = await FollowUpEvidence.PresentTriggers(store, awaited, CancellationToken.None);

        Assert.Equal(["mem://missing-bucket/_batch_/c.win", "mem://t/_bqjob_/h/p/a.json"], present.Order(StringComparer.Ordinal));
        Assert.Equal(2, listed.Count);
    }
}
