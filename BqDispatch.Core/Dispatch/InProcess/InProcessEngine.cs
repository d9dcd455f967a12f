using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch.InProcess;

/// <summary>
/// Runs the dispatch flow in this process: activities are direct calls (at most a few at once, like a
/// Functions host's activity concurrency), project throttles are objects in memory, kept where they say
/// (<see cref="ProjectThrottles.Persist"/>) before any work they admitted is handed off and after each cycle.
/// <paramref name="published"/> sees each cycle's status (a status endpoint); <paramref name="ledger"/> is the process's
/// completion ledger, shared with its event receiver.
/// </summary>
public sealed class InProcessEngine(
    DispatchActivities activities,
    ProjectThrottles throttles,
    IClock clock,
    Action<string> log,
    CancellationToken stopping,
    Action<StatusDocument>? published = null,
    SharedLedger? ledger = null) : IDispatchEngine
{
    private readonly SharedLedger completions = ledger ?? new SharedLedger();

    private const int ActivityConcurrency = 4;

    private readonly SemaphoreSlim activitySlots = new(ActivityConcurrency);

    public DateTimeOffset UtcNow => clock.UtcNow;

    public bool StopRequested => stopping.IsCancellationRequested;

    public Task Pause(TimeSpan delay) => clock.Delay(delay, stopping);

    public Task<TaskFolderScan> Scan(ScanRequest request) =>
        Activity(() => activities.Scanner.Scan(request, CancellationToken.None));

    public Task<Admission> Admit(string project, AdmissionRequest request) => Task.FromResult(throttles.Admit(project, request));

    public Task<SweepAnswer> Sweep(SweepRequest request) => Task.FromResult(completions.Update(l => l.Sweep(request)));

    public async Task<HandOffOutcome> HandOff(HandOffBatch batch)
    {
        await PersistThrottles();
        return await Activity(() => activities.HandOffs.HandOff(batch, CancellationToken.None));
    }

    public async Task<WindowOutcome> FireWindows(WindowBatch batch)
    {
        await PersistThrottles();
        return await Activity(() => activities.Windows.Fire(batch, CancellationToken.None));
    }

    public Task<RouteOutcome> Route(RouteRequest request) =>
        Activity(() => activities.Routes.Sweep(request, CancellationToken.None));

    public Task<GroupOutcome> CompleteGroups(GroupBatch batch) =>
        Activity(() => activities.Groups.Complete(batch, CancellationToken.None));

    public Task<CleanupOutcome> Cleanup(CleanupBatch batch) =>
        Activity(() => activities.Cleaner.Clean(batch, CancellationToken.None));

    public async Task Publish(StatusDocument status, QueueDocument? queue)
    {
        log(CycleLine(status));
        published?.Invoke(status);
        await PersistThrottles();
        if (await Activity(() => activities.Publisher.Publish(status, queue, CancellationToken.None)) is { } error)
        {
            log(error);
        }
    }

    public async Task PublishRun(StatusDocument document)
    {
        if (await Activity(() => activities.Publisher.PublishRun(document, CancellationToken.None)) is { } error)
        {
            log(error);
        }
    }

    /// <summary>One progress line per cycle for the operator.</summary>
    public static string CycleLine(StatusDocument status)
    {
        var totals = status.Totals;
        var projects = string.Join(", ", status.Performance
            .Where(p => !p.Key.EndsWith("/batching", StringComparison.Ordinal))
            .Select(p => $"{p.Key}: waiting {p.Value.Count}, dispatched {Total(p.Value.Dispatched)}, throttled {Total(p.Value.Throttled)}, not found {p.Value.NoFound}"));
        return $"cycle {status.Cycles}: handed off {totals.HandedOff + totals.AlreadyHandedOff}, windows fired {status.BatchCount}, " +
            $"backlog {totals.Backlog}, errors {status.Errors.Count}{(projects.Length > 0 ? " | " + projects : "")}";
    }

    private static int Total(Metrics m) => m.QueryJobs + m.LoadJobs + m.CopyJobs + m.OtherJobs;

    // Reservations are kept before the work they admitted goes, so a dispatcher that dies right after never forgets them.
    private async Task PersistThrottles()
    {
        if (await throttles.Persist(CancellationToken.None) is { } error)
        {
            log(error);
        }
    }

    // Activities are not cancelled when stopping: the cycle in flight finishes its work (nothing half done).
    private async Task<T> Activity<T>(Func<Task<T>> body)
    {
        await activitySlots.WaitAsync();
        try
        {
            return await body();
        }
        finally
        {
            activitySlots.Release();
        }
    }
}
