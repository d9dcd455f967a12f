using System.Net;
using System.Text.Json;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;
using Xunit;

namespace BqDispatch.Tests.Hosting;

public class StatusShapesTests
{
    private static StatusDocument Document(int cycles, int handedOff, int errors, params (string Project, int Throttled)[] projects)
    {
        var doc = new StatusDocument
        {
            Cycles = cycles,
            Started = new DateTime(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc),
            Totals = new RunTotals { HandedOff = handedOff, AlreadyHandedOff = 1, WindowsFired = 2, Backlog = 7, Evicted = 1 },
        };
        for (var i = 0; i < errors; i++)
        {
            doc.Errors.Add($"error {i}");
        }

        foreach (var (project, throttled) in projects)
        {
            doc.Performance[project] = new Performance
            {
                Count = 4,
                Running = new Metrics { QueryJobs = 2, LoadJobs = 1 },
                Throttled = new Metrics { QueryJobs = throttled },
                Dispatched = new Metrics { LoadJobs = 3 },
            };
        }

        return doc;
    }

    [Fact]
    public void The_summary_carries_the_totals_and_one_line_per_project()
    {
        var doc = Document(3, 5, 1, ("p1", 2));
        doc.Performance["p1/batching"] = new Performance { Running = new Metrics { LoadJobs = 1 } };
        doc.Error = "boom";

        var summary = RunSummary.From(doc);

        Assert.Equal(3, summary.Cycles);
        Assert.Equal(6, summary.HandedOff);
        Assert.Equal(2, summary.WindowsFired);
        Assert.Equal(7, summary.Backlog);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal("boom", summary.LastError);
        Assert.Equal([new ProjectSummary("p1", 4, 3, 0, 3, 2, 0)], summary.Projects);
    }

    [Fact]
    public void The_summary_stays_far_below_the_custom_status_limit()
    {
        var doc = Document(40, 100_000, 100, Enumerable.Range(0, 2_000).Select(i => ($"project-with-a-long-name-{i:D5}", i)).ToArray());
        doc.Error = new string('x', 100_000);
        doc.Performance[new string('p', 5_000)] = new Performance();
        foreach (var lane in Enumerable.Range(0, 20).Select(i => $"{i:D2}{new string('l', 62)}"))
        {
            doc.Lanes[lane] = new LaneStatus { Priority = uint.MaxValue, Queued = 100_000, Running = new Metrics { LoadJobs = 100_000 }, Dispatched = 100_000, Throttled = 100_000, OldestWaitSec = 604_800 };
        }

        var summary = RunSummary.From(doc);
        var json = JsonSerializer.Serialize(summary, DurableJson.Options);

        Assert.True(json.Length < 8_000, $"{json.Length} chars"); // 16 KB of UTF-16
        Assert.Equal(20, summary.Lanes!.Count);
        Assert.Equal(RunSummary.MaxProjects, summary.Projects.Count);
        Assert.Equal(2_001 - RunSummary.MaxProjects, summary.ProjectsOmitted);
    }

    [Fact]
    public void Counters_are_differences_between_snapshots_and_gauges_are_the_last_cycle()
    {
        var first = Document(1, 4, 1, ("p1", 3));
        var second = Document(2, 9, 3, ("p1", 1), ("p2", 2));

        var metrics = DispatchMetrics.ForCycle(first, second).ToDictionary(m => m.Name, m => m.Value);

        Assert.Equal(1, metrics[DispatchMetrics.Cycles]);
        Assert.Equal(5, metrics[DispatchMetrics.HandOffs]);
        Assert.Equal(0, metrics[DispatchMetrics.WindowsFired]);
        Assert.Equal(3, metrics[DispatchMetrics.Throttled]);
        Assert.Equal(7, metrics[DispatchMetrics.Backlog]);
        Assert.Equal(2, metrics[DispatchMetrics.Errors]);
    }

    [Fact]
    public void Detection_lag_is_reported_after_cycles_that_handed_off()
    {
        var first = Document(1, 4, 1, ("p1", 3));
        var second = Document(2, 9, 3, ("p1", 1));
        second.Totals.DetectionLagAvgMs = 2500;
        second.Totals.DetectionLagMaxMs = 4000;
        var third = Document(3, 9, 3, ("p1", 1));
        third.Totals.DetectionLagAvgMs = 2500;
        third.Totals.DetectionLagMaxMs = 4000;

        var handedOff = DispatchMetrics.ForCycle(first, second).ToDictionary(m => m.Name, m => m.Value);
        var idle = DispatchMetrics.ForCycle(second, third).Select(m => m.Name);

        Assert.Equal(2500, handedOff[DispatchMetrics.DetectionLagAvg]);
        Assert.Equal(4000, handedOff[DispatchMetrics.DetectionLagMax]);
        Assert.DoesNotContain(DispatchMetrics.DetectionLagAvg, idle);
    }

    [Fact]
    public void Completion_figures_are_gauges_and_from_a_runs_second_cycle_on_counters_too()
    {
        var first = Document(1, 4, 1, ("p1", 3));
        first.Completions = new CompletionReport(new PathSummary(3, 4000, 9000, 9500), new PathSummary(10, 600, 900, 1200), new EventCounts(12, 11, 1));
        var second = Document(2, 9, 3, ("p1", 1));
        second.Completions = new CompletionReport(new PathSummary(4, 4000, 9000, 9500), new PathSummary(15, 500, 800, 1200), new EventCounts(20, 18, 2, UnknownJobs: 1));

        var firstMetrics = DispatchMetrics.ForCycle(null, first).ToDictionary(m => m.Name, m => m.Value);
        var metrics = DispatchMetrics.ForCycle(first, second).ToDictionary(m => m.Name, m => m.Value);

        Assert.Equal(600, firstMetrics[DispatchMetrics.EventLagP50]);
        Assert.DoesNotContain(DispatchMetrics.EventHandOffs, firstMetrics.Keys);
        Assert.Equal((500d, 800d, 4000d, 9000d), (metrics[DispatchMetrics.EventLagP50], metrics[DispatchMetrics.EventLagP95], metrics[DispatchMetrics.PollLagP50], metrics[DispatchMetrics.PollLagP95]));
        Assert.Equal((5d, 1d), (metrics[DispatchMetrics.EventHandOffs], metrics[DispatchMetrics.PollHandOffs]));
        Assert.Equal((8d, 1d, 1d, 0d), (metrics[DispatchMetrics.EventsReceived], metrics[DispatchMetrics.EventDuplicates], metrics[DispatchMetrics.EventUnknownJobs], metrics[DispatchMetrics.EventsMalformed]));
        Assert.DoesNotContain(DispatchMetrics.EventLagP50, DispatchMetrics.ForCycle(null, Document(1, 4, 1)).Select(m => m.Name));
    }

    [Fact]
    public void The_first_cycle_reports_its_own_totals()
    {
        var metrics = DispatchMetrics.ForCycle(null, Document(1, 4, 1, ("p1", 3))).ToDictionary(m => m.Name, m => m.Value);

        Assert.Equal(1, metrics[DispatchMetrics.Cycles]);
        Assert.Equal(5, metrics[DispatchMetrics.HandOffs]);
        Assert.Equal(2, metrics[DispatchMetrics.WindowsFired]);
        Assert.Equal(1, metrics[DispatchMetrics.Evicted]);
        Assert.Equal(1, metrics[DispatchMetrics.Errors]);
    }

    [Fact]
    public void No_instance_yet_is_a_404_with_a_reason()
    {
        var reply = LatestStatus.Compose(new InstanceView("bqdispatch-1", RunState.NotFound), null);

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
        using var body = JsonDocument.Parse(reply.Json);
        Assert.Equal("NotFound", body.RootElement.GetProperty("RuntimeStatus").GetString());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("LastRun").ValueKind);
    }

    [Fact]
    public void A_running_instance_shows_its_summary_and_the_last_runs_document_as_published()
    {
        var summary = JsonSerializer.Serialize(RunSummary.From(Document(2, 1, 0)), DurableJson.Options);
        var lastRun = StatusPublisher.DocumentText(Document(5, 3, 0));

        var reply = LatestStatus.Compose(new InstanceView("bqdispatch-1", RunState.Running, SerializedCustomStatus: summary), lastRun);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        using var body = JsonDocument.Parse(reply.Json);
        Assert.Equal(2, body.RootElement.GetProperty("Summary").GetProperty("Cycles").GetInt32());
        Assert.Equal(5, body.RootElement.GetProperty("LastRun").GetProperty("Cycles").GetInt32());
        Assert.Contains("\"LastRun\":" + lastRun + "}", reply.Json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_instance_shows_why_and_a_broken_payload_shows_as_text()
    {
        var reply = LatestStatus.Compose(new InstanceView(
            "bqdispatch-1", RunState.Failed, SerializedCustomStatus: "not json", Failure: "TaskFailedException: scan"), "{broken");

        using var body = JsonDocument.Parse(reply.Json);
        Assert.Equal("TaskFailedException: scan", body.RootElement.GetProperty("Failure").GetString());
        Assert.Equal("not json", body.RootElement.GetProperty("Summary").GetString());
        Assert.Equal("{broken", body.RootElement.GetProperty("LastRun").GetString());
    }
}
