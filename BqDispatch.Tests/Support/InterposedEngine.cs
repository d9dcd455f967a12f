using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Tests.Support;

/// <summary>
/// The fixture's dispatcher on the in-process engine, with room for a test to step in: every member goes to the
/// in-process engine unless a test engine overrides it (to act between cycles, to watch admissions, to repeat work).
/// </summary>
public abstract class InterposedEngine(DispatchFixture f) : IDispatchEngine
{
    protected InProcessEngine Inner { get; } = new(f.Activities(), f.Throttles, f.Clock, _ => { }, CancellationToken.None);

    public DateTimeOffset UtcNow => Inner.UtcNow;

    public bool StopRequested => Inner.StopRequested;

    public virtual Task Pause(TimeSpan delay) => Inner.Pause(delay);

    public Task<TaskFolderScan> Scan(ScanRequest request) => Inner.Scan(request);

    public Task<SweepAnswer> Sweep(SweepRequest request) => Inner.Sweep(request);

    public virtual Task<Admission> Admit(string project, AdmissionRequest request) => Inner.Admit(project, request);

    public virtual Task<HandOffOutcome> HandOff(HandOffBatch batch) => Inner.HandOff(batch);

    public virtual Task<WindowOutcome> FireWindows(WindowBatch batch) => Inner.FireWindows(batch);

    public Task<CleanupOutcome> Cleanup(CleanupBatch batch) => Inner.Cleanup(batch);

    public Task<RouteOutcome> Route(RouteRequest request) => Inner.Route(request);

    public Task<GroupOutcome> CompleteGroups(GroupBatch batch) => Inner.CompleteGroups(batch);

    public Task Publish(StatusDocument status, QueueDocument? queue) => Inner.Publish(status, queue);

    public Task PublishRun(StatusDocument document) => Inner.PublishRun(document);
}
