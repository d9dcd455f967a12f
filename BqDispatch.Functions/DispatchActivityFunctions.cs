using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Routes;
using Microsoft.ApplicationInsights;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Functions;

/// <summary>
/// The activities: each delegates to Core's activity body. Core reports expected failures in the results; the
/// cycle in flight is never cancelled half-way (as in the CLI), so no cancellation token is passed on.
/// </summary>
public sealed class DispatchActivityFunctions(
    LazyDispatcherSetup setup, TelemetryClient telemetry, ILogger<DispatchActivityFunctions> log)
{
    /// <summary>The settings of the next run of the chain, from the configuration as it is now.</summary>
    [Function(FunctionNames.Settings)]
    public async Task<RunSettings> Settings([ActivityTrigger] int run) => (await setup.Get(CancellationToken.None)).Settings();

    [Function(FunctionNames.Scan)]
    public async Task<TaskFolderScan> Scan([ActivityTrigger] ScanRequest request) =>
        await (await Activities()).Scanner.Scan(request, CancellationToken.None);

    [Function(FunctionNames.HandOff)]
    public async Task<HandOffOutcome> HandOff([ActivityTrigger] HandOffBatch batch) =>
        await (await Activities()).HandOffs.HandOff(batch, CancellationToken.None);

    /// <summary>An event's job: its trace and the plan of its hand-off, or null when no trace waits for it.</summary>
    [Function(FunctionNames.LocateTrace)]
    public async Task<EventPlan?> LocateTrace([ActivityTrigger] JobCompletion completion) =>
        await (await setup.Get(CancellationToken.None)).EventPlanner.Plan(completion, CancellationToken.None);

    /// <summary>An event's job that no trace waits for, to the route rules: true when one routed it.</summary>
    [Function(FunctionNames.RouteJob)]
    public async Task<bool> RouteJob([ActivityTrigger] JobCompletion completion) =>
        await (await setup.Get(CancellationToken.None)).EventRouter.Route(completion, CancellationToken.None);

    [Function(FunctionNames.FireWindows)]
    public async Task<WindowOutcome> FireWindows([ActivityTrigger] WindowBatch batch) =>
        await (await Activities()).Windows.Fire(batch, CancellationToken.None);

    [Function(FunctionNames.Route)]
    public async Task<RouteOutcome> Route([ActivityTrigger] RouteRequest request) =>
        await (await Activities()).Routes.Sweep(request, CancellationToken.None);

    [Function(FunctionNames.CompleteGroups)]
    public async Task<GroupOutcome> CompleteGroups([ActivityTrigger] GroupBatch batch) =>
        await (await Activities()).Groups.Complete(batch, CancellationToken.None);

    [Function(FunctionNames.Cleanup)]
    public async Task<CleanupOutcome> Cleanup([ActivityTrigger] CleanupBatch batch) =>
        await (await Activities()).Cleaner.Clean(batch, CancellationToken.None);

    /// <summary>performance.json, queue.json when the queue changed, one structured log line and the cycle's metrics.</summary>
    [Function(FunctionNames.Publish)]
    public async Task Publish([ActivityTrigger] PublishRequest request)
    {
        if (await (await Activities()).Publisher.Publish(request.Status, request.Queue, CancellationToken.None) is { } error)
        {
            Log.PublishFailed(log, error);
        }

        var s = RunSummary.From(request.Status);
        Log.Cycle(log, s.Cycles, s.Started, s.Status, s.HandedOff, s.WindowsFired, s.Backlog, s.ErrorCount);
        foreach (var metric in request.Metrics)
        {
            telemetry.GetMetric(metric.Name).TrackValue(metric.Value);
        }
    }

    /// <summary>The finished run's status document, to JournalURL/status.json (the status endpoint serves it).</summary>
    [Function(FunctionNames.PublishRun)]
    public async Task PublishRun([ActivityTrigger] StatusDocument document)
    {
        if (await (await Activities()).Publisher.PublishRun(document, CancellationToken.None) is { } error)
        {
            Log.PublishFailed(log, error);
        }
    }

    private async Task<DispatchActivities> Activities() => (await setup.Get(CancellationToken.None)).Activities;
}
