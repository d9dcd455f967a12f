using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// What the dispatch flow (<see cref="DispatchRun"/>) needs from the engine that runs it. Each member maps to one
/// Durable Functions primitive (time, durable timer, activity, entity call), and every argument and result
/// is a small serializable record, so the same flow runs in an orchestrator and in-process.
/// </summary>
public interface IDispatchEngine
{
    /// <summary>The run's clock (CurrentUtcDateTime in an orchestrator).</summary>
    DateTimeOffset UtcNow { get; }

    /// <summary>True once the host asked the run to stop after the cycle in flight (SIGTERM in the CLI).</summary>
    bool StopRequested { get; }

    /// <summary>Waits between cycles (a durable timer in an orchestrator).</summary>
    Task Pause(TimeSpan delay);

    /// <summary>Activity: list the task folder, learn the state of each traced job, and say what is due.</summary>
    Task<TaskFolderScan> Scan(ScanRequest request);

    /// <summary>Entity call on the project's throttle.</summary>
    Task<Admission> Admit(string project, AdmissionRequest request);

    /// <summary>Entity call on the completion ledger (with completion events on): which DONE jobs to leave to the events.</summary>
    Task<SweepAnswer> Sweep(SweepRequest request);

    /// <summary>
    /// Activity: hand DONE traces to BqTail, exactly once each. An engine that repeats a call whose outcome it did not
    /// learn sends <see cref="HandOffBatch.AsRepeat"/>, so a copy consumed meanwhile is not made again.
    /// </summary>
    Task<HandOffOutcome> HandOff(HandOffBatch batch);

    /// <summary>Activity: fire due batch windows, exactly once each; a repeat sends <see cref="WindowBatch.AsRepeat"/>.</summary>
    Task<WindowOutcome> FireWindows(WindowBatch batch);

    /// <summary>Activity: route the DONE jobs no trace covers that a route rule matches, exactly once each.</summary>
    Task<RouteOutcome> Route(RouteRequest request);

    /// <summary>Activity: complete groups whose members have all finished or whose deadline passed, exactly once each.</summary>
    Task<GroupOutcome> CompleteGroups(GroupBatch batch);

    /// <summary>Activity: remove stalled window pairs and orphan markers, evict orphan traces.</summary>
    Task<CleanupOutcome> Cleanup(CleanupBatch batch);

    /// <summary>
    /// Activity (plus custom status): publish the status after a cycle, including performance.json, and the held work
    /// per lane (queue.json) when <paramref name="queue"/> is given: it is null when the queue did not change.
    /// </summary>
    Task Publish(StatusDocument status, QueueDocument? queue);

    /// <summary>Activity: publish the finished run's status document (JournalURL/status.json), the one the CLI prints.</summary>
    Task PublishRun(StatusDocument document);
}
