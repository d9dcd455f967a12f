using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

public class RunStatusTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static TaskFolderScan Scan(int count) => new()
    {
        Projects = [new ProjectScan("p", "US", count, new KindCounts(1, 0, 0, 0), KindCounts.Zero, ObservedJobs.None, 0, 0)],
        ListTime = TimeSpan.FromMilliseconds(231.7),
    };

    private static TraceWork Trace(string name) => new("mem://d/" + name, name, "p", "US", name, "load", JobKind.Load, Start, 1);

    [Fact]
    public void Dispatched_accumulates_over_the_run_while_count_and_throttled_are_the_last_cycle()
    {
        var status = new RunStatus(Start);
        status.RecordScan(Scan(5));
        status.RecordHandOff(Trace("a"), new HandOffResult("mem://d/a", HandOffStatus.HandedOff, "x"), Start);
        status.RecordHeldTrace(Trace("b"));
        status.CompleteCycle(1);
        status.RecordScan(Scan(2));
        status.RecordHandOff(Trace("b"), new HandOffResult("mem://d/b", HandOffStatus.AlreadyHandedOff, "y"), Start);
        status.CompleteCycle(0);

        var document = status.Snapshot(Start.AddSeconds(4));
        var p = document.Performance["p"];
        Assert.Equal(2, p.Dispatched.LoadJobs);
        Assert.Equal(2, p.Count);
        Assert.Equal(0, p.Throttled.LoadJobs);
        Assert.Equal(2, document.Cycles);
        Assert.Equal(4000, document.TimeTakenMs);
        Assert.Equal("231.7ms", document.ListTime);
        Assert.Equal((1, 1), (document.Totals.HandedOff, document.Totals.AlreadyHandedOff));
        Assert.Equal(StatusDocument.Ok, document.Status);
    }

    [Fact]
    public void Benign_outcomes_keep_the_run_ok_and_failures_make_it_error_with_each_message_once()
    {
        var status = new RunStatus(Start);
        status.RecordHandOff(Trace("a"), new HandOffResult("mem://d/a", HandOffStatus.SourceGone, "x"), Start);
        Assert.False(status.Failed);

        status.RecordHandOff(Trace("b"), new HandOffResult("mem://d/b", HandOffStatus.Failed, "x", "denied"), Start);
        status.AddError("hand-off of mem://d/b failed: denied");
        var document = status.Snapshot(Start);

        Assert.Equal(StatusDocument.Failed, document.Status);
        Assert.Equal(["hand-off of mem://d/b failed: denied"], document.Errors);
        Assert.Empty(document.Jobs);
    }

    [Fact]
    public void The_small_snapshot_drops_the_maps_but_keeps_their_counts()
    {
        var status = new RunStatus(Start);
        status.RecordHandOff(Trace("a"), new HandOffResult("mem://d/a", HandOffStatus.HandedOff, "x"), Start);
        status.RecordWindow(
            new WindowWork("mem://d/w.win", "w_1_1700000000.win", Start, 1, "p", "w/batching"),
            new WindowResult("mem://d/w.win", WindowStatus.Fired));

        var small = status.Snapshot(Start, withMaps: false);
        Assert.Empty(small.Jobs);
        Assert.Empty(small.Batched);
        Assert.Equal((1, 1), (small.Totals.HandedOff, small.BatchCount));
        Assert.Single(status.Snapshot(Start).Jobs);
    }

    [Fact]
    public void The_jobs_map_is_bounded_and_the_rest_is_counted()
    {
        var status = new RunStatus(Start);
        for (var i = 0; i <= RunStatus.MaxJobsListed; i++)
        {
            status.RecordHandOff(Trace($"t{i}"), new HandOffResult($"mem://d/t{i}", HandOffStatus.HandedOff, "x"), Start);
        }

        var document = status.Snapshot(Start);
        Assert.Equal(RunStatus.MaxJobsListed, document.Jobs.Count);
        Assert.Equal(1, document.Totals.JobsOmitted);
        Assert.Equal(RunStatus.MaxJobsListed + 1, document.Totals.HandedOff);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(231.7, "231.7ms")]
    [InlineData(1204, "1.204s")]
    public void List_time_is_printed_like_a_go_duration(double ms, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(ms)));

    [Fact]
    public void Status_json_uses_bqtail_names_and_utc_times()
    {
        var status = new RunStatus(Start);
        status.RecordHandOff(Trace("a"), new HandOffResult("mem://d/a", HandOffStatus.HandedOff, "x"), Start);
        var json = StatusJson.Serialize(status.Snapshot(Start));

        Assert.Contains("\"Status\":\"ok\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Started\":\"2026-11-22T12:00:00Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Jobs\":{\"mem://d/a\":{\"ID\":\"a\",\"URL\":\"mem://d/a\",\"Status\":\"DONE\"}}", json, StringComparison.Ordinal);
        Assert.Contains("\"p\":{\"ProjectID\":\"p\",\"Running\":{},\"Pending\":{},\"Dispatched\":{\"LoadJobs\":1},\"Throttled\":{}}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Error\"", json, StringComparison.Ordinal);
    }
}
