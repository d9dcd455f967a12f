using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Throttling;
using BqDispatch.Core.Routes;

namespace BqDispatch.Benchmarks.Soak;

/// <summary>
/// One self-hosted dispatcher as `run` runs it (DispatcherSetup's real clients and retry policy, back-to-back runs on
/// in-process lanes), watched: when each cycle completes, how each run ends, and whether each held candidate was held
/// by a limit actually reached. The truth is BqTail's: jobs running and trigger objects it had not taken yet at some
/// moment of the cycle's scan, when the dispatcher listed them.
/// </summary>
public sealed class SoakDispatcher(string name, DispatcherSetup setup, SoakBqTail bqTail) : IDisposable
{
    private readonly ProjectThrottles lanes = new();
    private readonly List<DateTimeOffset> cycles = [];
    private readonly List<string> underLimits = [];

    public string Name { get; } = name;

    public List<StatusDocument> Runs { get; } = [];

    public List<string> Failures { get; } = [];

    public int Held { get; private set; }

    /// <summary>Held candidates whose limit was not reached by running jobs and hand-offs BqTail had not acted on.</summary>
    public IReadOnlyList<string> HeldUnderLimits => underLimits;

    public DateTimeOffset Started { get; private set; }

    public int Cycles => cycles.Count;

    public async Task Run(CancellationToken stop)
    {
        Started = DateTimeOffset.UtcNow;
        var settings = setup.Settings();
        var chain = new BackToBackRuns(
            carried => DispatchRun.Continue(new Engine(this, bqTail, new InProcessEngine(setup.Activities, lanes, SystemClock.Instance, _ => CycleDone(), stop)), settings, carried),
            settings.Pause,
            SystemClock.Instance);
        await chain.Run(
            status =>
            {
                lock (Runs)
                {
                    Runs.Add(status);
                }

                return Task.CompletedTask;
            },
            e =>
            {
                lock (Failures)
                {
                    Failures.Add($"{e.GetType().Name}: {e.Message}");
                }

                return Task.CompletedTask;
            },
            stop);
    }

    /// <summary>The longest time the dispatcher was up without completing a cycle, start and stop included.</summary>
    public TimeSpan LongestStretchWithoutACycle(DateTimeOffset stopped)
    {
        List<DateTimeOffset> times;
        lock (cycles)
        {
            times = [Started, .. cycles, stopped];
        }

        return times.Zip(times.Skip(1), (a, b) => b - a).Max();
    }

    public void Dispose() => setup.Dispose();

    private void CycleDone()
    {
        lock (cycles)
        {
            cycles.Add(DateTimeOffset.UtcNow);
        }
    }

    /// <summary>The in-process engine, with the truth taken at each scan and each admission checked against it.</summary>
    private sealed class Engine(SoakDispatcher owner, SoakBqTail bqTail, InProcessEngine inner) : IDispatchEngine
    {
        private (DateTimeOffset From, DateTimeOffset To) scanned;

        public DateTimeOffset UtcNow => inner.UtcNow;

        public bool StopRequested => inner.StopRequested;

        public Task Pause(TimeSpan delay) => inner.Pause(delay);

        public async Task<TaskFolderScan> Scan(ScanRequest request)
        {
            var started = DateTimeOffset.UtcNow;
            var scan = await inner.Scan(request);
            scanned = (started, DateTimeOffset.UtcNow);
            return scan;
        }

        public Task<SweepAnswer> Sweep(SweepRequest request) => inner.Sweep(request);

        public async Task<Admission> Admit(string project, AdmissionRequest request)
        {
            var admission = await inner.Admit(project, request);
            var kinds = request.Candidates.ToDictionary(c => c.Key, c => c.Kind, StringComparer.Ordinal);
            foreach (var held in admission.Held.Select(h => h.Key))
            {
                var kind = kinds[held];
                var admittedNow = admission.Admitted.Count(a => kinds[a] == kind);
                var running = bqTail.Busy(project, kind, scanned.From, scanned.To);
                bqTail.Held(held);
                lock (owner.underLimits)
                {
                    owner.Held++;
                    if (running + admittedNow < request.Limits.For(kind))
                    {
                        owner.underLimits.Add($"{held}: {running} {kind} jobs running or awaiting BqTail + {admittedNow} admitted < limit {request.Limits.For(kind)}");
                    }
                }
            }

            return admission;
        }

        public Task<HandOffOutcome> HandOff(HandOffBatch batch) => inner.HandOff(batch);

        public Task<WindowOutcome> FireWindows(WindowBatch batch) => inner.FireWindows(batch);

        public Task<CleanupOutcome> Cleanup(CleanupBatch batch) => inner.Cleanup(batch);

        public Task<RouteOutcome> Route(RouteRequest request) => inner.Route(request);

        public Task<Core.Groups.GroupOutcome> CompleteGroups(Core.Groups.GroupBatch batch) => inner.CompleteGroups(batch);

        public Task Publish(StatusDocument status, QueueDocument? queue) => inner.Publish(status, queue);

        public Task PublishRun(StatusDocument document) => inner.PublishRun(document);
    }
}
