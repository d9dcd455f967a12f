using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Throttling;
using Microsoft.DurableTask;

namespace BqDispatch.Functions;

/// <summary>
/// Core's engine seam over the orchestration context: one Durable primitive per member. Deterministic on replay:
/// time and timers come from the context, all I/O is an activity or an entity call.
/// </summary>
public sealed class DurableDispatchEngine(TaskOrchestrationContext context) : IDispatchEngine
{
    public static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        ActivityRetry.Default.MaxAttempts,
        ActivityRetry.Default.FirstInterval,
        ActivityRetry.Default.BackoffCoefficient,
        ActivityRetry.Default.MaxInterval));

    // The snapshot published after the previous cycle of this run (rebuilt identically on every replay).
    private StatusDocument? published;

    public DateTimeOffset UtcNow => OrchestrationTime.FromUtc(context.CurrentUtcDateTime);

    /// <summary>A run ends at its budget; to stop early, terminate the instance (operations guide).</summary>
    public bool StopRequested => false;

    public Task Pause(TimeSpan delay) =>
        context.CreateTimer(OrchestrationTime.FireAt(context.CurrentUtcDateTime, delay), CancellationToken.None);

    public Task<TaskFolderScan> Scan(ScanRequest request) =>
        context.CallActivityAsync<TaskFolderScan>(FunctionNames.Scan, request, Retry);

    public Task<Admission> Admit(string project, AdmissionRequest request) =>
        context.Entities.CallEntityAsync<Admission>(ProjectThrottleEntity.Of(project), ProjectThrottleEntity.AdmitOperation, request);

    public Task<SweepAnswer> Sweep(SweepRequest request) =>
        context.Entities.CallEntityAsync<SweepAnswer>(CompletionLedgerEntity.Id, nameof(CompletionLedgerEntity.Sweep), request);

    public Task<HandOffOutcome> HandOff(HandOffBatch batch) =>
        Repeating(attempt => context.CallActivityAsync<HandOffOutcome>(FunctionNames.HandOff, attempt == 1 ? batch : batch.AsRepeat()));

    public Task<WindowOutcome> FireWindows(WindowBatch batch) =>
        Repeating(attempt => context.CallActivityAsync<WindowOutcome>(FunctionNames.FireWindows, attempt == 1 ? batch : batch.AsRepeat()));

    // A repeated sweep is safe: the route journal keeps a job from being routed twice.
    public Task<RouteOutcome> Route(RouteRequest request) =>
        context.CallActivityAsync<RouteOutcome>(FunctionNames.Route, request, Retry);

    // A repeated completion is safe: the group's completion record keeps it from being written twice.
    public Task<GroupOutcome> CompleteGroups(GroupBatch batch) =>
        context.CallActivityAsync<GroupOutcome>(FunctionNames.CompleteGroups, batch, Retry);

    public Task<CleanupOutcome> Cleanup(CleanupBatch batch) =>
        context.CallActivityAsync<CleanupOutcome>(FunctionNames.Cleanup, batch, Retry);

    public Task Publish(StatusDocument status, QueueDocument? queue)
    {
        context.SetCustomStatus(RunSummary.From(status));
        var request = new PublishRequest(status, DispatchMetrics.ForCycle(published, status), queue);
        published = status;
        return context.CallActivityAsync(FunctionNames.Publish, request, Retry);
    }

    // An attempt that threw may have landed copies unseen: its retry goes as a repeat, which looks before it copies
    // (instead of waiting out the claims the attempt itself made). Same attempts and waits as Retry.
    private async Task<T> Repeating<T>(Func<int, Task<T>> attempt)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(n);
            }
            catch (TaskFailedException) when (n < ActivityRetry.Default.MaxAttempts)
            {
                await context.CreateTimer(
                    OrchestrationTime.FireAt(context.CurrentUtcDateTime, ActivityRetry.Default.DelayBefore(n + 1)), CancellationToken.None);
            }
        }
    }

    public Task PublishRun(StatusDocument document) =>
        context.CallActivityAsync(FunctionNames.PublishRun, document, Retry);
}
