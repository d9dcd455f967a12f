using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using Xunit;

namespace BqDispatch.Functions.Tests;

/// <summary>The orchestrator adapter calls the right activity, entity and timer with the flow's own records.</summary>
public class DurableDispatchEngineTests
{
    private static readonly DateTime Now = new(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc);

    private readonly TaskOrchestrationContext context = Substitute.For<TaskOrchestrationContext>();
    private readonly TaskOrchestrationEntityFeature entities = Substitute.For<TaskOrchestrationEntityFeature>();

    public DurableDispatchEngineTests()
    {
        context.CurrentUtcDateTime.Returns(Now);
        context.InstanceId.Returns("bqdispatch-0123456789abcdef");
        context.Entities.Returns(entities);
        context.CreateReplaySafeLogger(Arg.Any<string>()).Returns(NullLogger.Instance);
    }

    [Fact]
    public void The_clock_is_the_orchestration_clock_and_a_run_is_never_asked_to_stop()
    {
        var engine = new DurableDispatchEngine(context);

        Assert.Equal(new DateTimeOffset(Now), engine.UtcNow);
        Assert.False(engine.StopRequested);
    }

    [Fact]
    public async Task A_pause_is_a_durable_timer()
    {
        await new DurableDispatchEngine(context).Pause(TimeSpan.FromSeconds(3));

        _ = context.Received(1).CreateTimer(Now.AddSeconds(3), CancellationToken.None);
    }

    [Fact]
    public async Task The_scan_is_an_activity_with_the_request_and_the_retry_policy()
    {
        var request = new ScanRequest(new DateTimeOffset(Now), 1000);
        var scan = new TaskFolderScan { DoneTotal = 3 };
        context.CallActivityAsync<TaskFolderScan>(Arg.Is<TaskName>(n => n.Name == FunctionNames.Scan), Arg.Any<object?>(), Arg.Any<TaskOptions?>())
            .Returns(scan);

        var result = await new DurableDispatchEngine(context).Scan(request);

        Assert.Same(scan, result);
        _ = context.Received(1).CallActivityAsync<TaskFolderScan>(
            Arg.Is<TaskName>(n => n.Name == FunctionNames.Scan), request, Arg.Is<TaskOptions?>(o => o != null && o.Retry != null));
    }

    [Fact]
    public async Task Batches_go_to_their_activities()
    {
        var engine = new DurableDispatchEngine(context);
        var handOffs = new HandOffBatch([]);
        var windows = new WindowBatch([]);
        var cleanup = new CleanupBatch(new DateTimeOffset(Now), [], [], []);

        await engine.HandOff(handOffs);
        await engine.FireWindows(windows);
        await engine.Cleanup(cleanup);

        _ = context.Received(1).CallActivityAsync<HandOffOutcome>(
            Arg.Is<TaskName>(n => n.Name == FunctionNames.HandOff), handOffs, Arg.Any<TaskOptions?>());
        _ = context.Received(1).CallActivityAsync<WindowOutcome>(
            Arg.Is<TaskName>(n => n.Name == FunctionNames.FireWindows), windows, Arg.Any<TaskOptions?>());
        _ = context.Received(1).CallActivityAsync<CleanupOutcome>(
            Arg.Is<TaskName>(n => n.Name == FunctionNames.Cleanup), cleanup, Arg.Any<TaskOptions?>());
    }

    [Fact]
    public async Task Admission_is_a_call_to_the_projects_lane_entity()
    {
        var request = new AdmissionRequest(new DateTimeOffset(Now), ObservedJobs.None, new ThrottleLimits(1, 1), TimeSpan.FromMinutes(2),
            [new AdmissionCandidate("gs://t/a", JobKind.Query)]);
        var admission = new Admission(["gs://t/a"], [], 1, 0, 1);
        entities.CallEntityAsync<Admission>(Arg.Any<EntityInstanceId>(), Arg.Any<string>(), Arg.Any<object?>(), Arg.Any<CallEntityOptions?>())
            .Returns(admission);

        var result = await new DurableDispatchEngine(context).Admit("example.com:p1", request);

        Assert.Same(admission, result);
        _ = entities.Received(1).CallEntityAsync<Admission>(
            new EntityInstanceId(ThrottleLaneEntity.Name, "example.com:p1"), ThrottleLaneEntity.AdmitOperation, request, Arg.Any<CallEntityOptions?>());
    }

    [Fact]
    public async Task Publishing_sets_the_summary_and_sends_the_cycles_metrics()
    {
        var engine = new DurableDispatchEngine(context);
        var first = new StatusDocument { Cycles = 1, Totals = new RunTotals { HandedOff = 2 } };
        var second = new StatusDocument { Cycles = 2, Totals = new RunTotals { HandedOff = 5 } };
        var sent = new List<PublishRequest>();
        context.CallActivityAsync(Arg.Is<TaskName>(n => n.Name == FunctionNames.Publish), Arg.Do<object?>(r => sent.Add((PublishRequest)r!)), Arg.Any<TaskOptions?>())
            .Returns(Task.CompletedTask);

        await engine.Publish(first);
        await engine.Publish(second);

        context.Received(1).SetCustomStatus(Arg.Is<object?>(s => s is RunSummary && ((RunSummary)s).Cycles == 2));
        Assert.Equal(2, sent.Count);
        Assert.Same(second, sent[1].Status);
        Assert.Equal(3, sent[1].Metrics.Single(m => m.Name == DispatchMetrics.HandOffs).Value);
    }

    [Fact]
    public async Task The_orchestrator_runs_the_flow_and_returns_its_status_document()
    {
        context.CallActivityAsync<TaskFolderScan>(Arg.Is<TaskName>(n => n.Name == FunctionNames.Scan), Arg.Any<object?>(), Arg.Any<TaskOptions?>())
            .Returns(new TaskFolderScan { RootError = "listing gs://d/Tasks/ failed" });
        var settings = new RunSettings(TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(3), 1000, 100, new ThrottleLimits(0, 0), TimeSpan.FromMinutes(2));

        var status = await DispatchOrchestrator.Run(context, settings);

        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Equal(1, status.Cycles);
        _ = context.Received(1).CallActivityAsync(
            Arg.Is<TaskName>(n => n.Name == FunctionNames.Publish), Arg.Any<object?>(), Arg.Any<TaskOptions?>());
        _ = context.DidNotReceive().CreateTimer(Arg.Any<DateTime>(), Arg.Any<CancellationToken>());
    }
}
