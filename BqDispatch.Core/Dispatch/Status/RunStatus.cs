using BqDispatch.Core.Events;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// Builds the status document of a run from the results of its cycles. Deterministic: it only sees what
/// the flow hands it, so it can live inside an orchestrator.
/// </summary>
public sealed class RunStatus
{
    /// <summary>
    /// The Jobs map stops growing here (the rest is counted in Totals.JobsOmitted), which keeps a run's output
    /// document around 300 KB, far below what a Durable orchestration output may carry.
    /// </summary>
    public const int MaxJobsListed = 1_000;

    private const int MaxErrorsListed = 100;

    private readonly StatusDocument document;
    private readonly HashSet<string> errorSet = [];
    private readonly LaneBook lanes;
    private readonly Dictionary<string, HashSet<string>> throttledByLane = new(StringComparer.Ordinal);
    private long lagSamples;
    private long lagTotalMs;
    private int claimedElsewhereInCycle;

    /// <param name="lanes">The configured lanes: each has its entry from the start, main too.</param>
    public RunStatus(DateTimeOffset started, IReadOnlyList<Lane>? lanes = null)
    {
        document = new StatusDocument { Started = started.UtcDateTime };
        this.lanes = new LaneBook(lanes);
        foreach (var lane in this.lanes.ByPriority)
        {
            document.Lanes[lane.Name] = new LaneStatus { Priority = lane.Priority };
        }
    }

    public bool Failed => document.Status == StatusDocument.Failed;

    public int Cycles => document.Cycles;

    public void AddError(string message)
    {
        document.Status = StatusDocument.Failed;
        document.Error = message;
        if (document.Errors.Count < MaxErrorsListed && errorSet.Add(message))
        {
            document.Errors.Add(message);
        }
    }

    /// <summary>Starts a cycle's snapshot figures from this scan (the run-long figures carry on).</summary>
    public void RecordScan(TaskFolderScan scan)
    {
        foreach (var performance in document.Performance.Values)
        {
            performance.Count = 0;
            performance.NoFound = 0;
            performance.Throttled = new Metrics();
            if (performance.ProjectID is { } id && !id.EndsWith("/batching", StringComparison.Ordinal))
            {
                performance.Running = new Metrics();
                performance.Pending = new Metrics();
            }
        }

        foreach (var error in scan.Errors)
        {
            AddError(error);
        }

        if (scan.RootError is { } rootError)
        {
            AddError(rootError);
            return;
        }

        foreach (var project in scan.Projects)
        {
            var performance = PerformanceOf(project.Project);
            if (string.IsNullOrEmpty(performance.Region) && project.Region.Length > 0)
            {
                performance.Region = project.Region;
            }
            performance.Count = project.Count;
            performance.Running = Metrics.From(project.Running);
            performance.Pending = Metrics.From(project.Pending);
            performance.NoFound = project.NoFound;
        }

        foreach (var lane in document.Lanes.Values)
        {
            lane.Queued = 0;
            lane.OldestWaitSec = 0;
            lane.Running = new Metrics();
        }

        foreach (var jobs in scan.Projects.SelectMany(p => p.Observed.Lanes))
        {
            var running = LaneOf(jobs.Lane).Running;
            running.QueryJobs += jobs.Query;
            running.LoadJobs += jobs.Load;
            running.CopyJobs += jobs.Copy;
            running.OtherJobs += jobs.Other;
        }

        document.Totals.Unresolved = scan.Projects.Sum(p => p.Unresolved);
        document.GetCount += scan.GetCalls;
        document.ListTime = GoDuration.Format(scan.ListTime);
        document.Totals.ListPages += scan.ListPages;
        document.Totals.Ignored = scan.Ignored;
        document.Totals.IgnoredSamples = [.. scan.IgnoredSamples];
    }

    public void RecordHeldTrace(TraceWork trace) => Add(PerformanceOf(trace.Project).Throttled, trace.Kind);

    public void RecordHeldWindow(WindowWork window)
    {
        var throttled = PerformanceOf(window.BatchingKey).Throttled;
        throttled.LoadJobs++;
        throttled.BatchJobs++;
    }

    /// <summary>Records the cycle's queue: held work per lane, how long the oldest has waited, and what was ever held.</summary>
    public void RecordQueue(IReadOnlyList<QueuedWork> queue, DateTimeOffset now)
    {
        foreach (var work in queue)
        {
            var name = lanes[work.Lane].Name;
            var lane = document.Lanes[name];
            lane.Queued++;
            lane.OldestWaitSec = Math.Max(lane.OldestWaitSec, (long)Math.Max(0, (now.UtcDateTime - work.WaitingSince).TotalSeconds));
            if (!throttledByLane.TryGetValue(name, out var held))
            {
                held = new HashSet<string>(StringComparer.Ordinal);
                throttledByLane[name] = held;
            }

            if (held.Add(work.URL))
            {
                lane.Throttled = held.Count;
            }
        }
    }

    /// <summary>Records a hand-off attempt; <paramref name="noticed"/> is when the cycle that found the job DONE started.</summary>
    public void RecordHandOff(TraceWork trace, HandOffResult result, DateTimeOffset noticed)
    {
        var totals = document.Totals;
        switch (result.Status)
        {
            case HandOffStatus.HandedOff:
                totals.HandedOff++;
                RecordLag(trace, noticed);
                break;
            case HandOffStatus.AlreadyHandedOff:
                totals.AlreadyHandedOff++;
                break;
            case HandOffStatus.SourceGone:
                totals.SourceGone++;
                return;
            case HandOffStatus.ClaimedElsewhere:
                claimedElsewhereInCycle++;
                return;
            default:
                totals.HandOffsFailed++;
                AddError($"hand-off of {trace.Url} failed: {result.Error}");
                return;
        }

        Add(PerformanceOf(trace.Project).Dispatched, trace.Kind);
        LaneOf(trace.Lane).Dispatched++;
        if (document.Jobs.Count < MaxJobsListed)
        {
            document.Jobs[trace.Url] = new JobEntry(trace.JobId, trace.Url, "DONE");
        }
        else
        {
            totals.JobsOmitted++;
        }
    }

    private void RecordLag(TraceWork trace, DateTimeOffset noticed)
    {
        if (trace.JobEnded is not { } ended)
        {
            return;
        }

        var lagMs = Math.Max(0, (long)(noticed - ended).TotalMilliseconds);
        lagSamples++;
        lagTotalMs += lagMs;
        document.Totals.DetectionLagAvgMs = lagTotalMs / lagSamples;
        document.Totals.DetectionLagMaxMs = Math.Max(document.Totals.DetectionLagMaxMs, lagMs);
    }

    public void RecordWindow(WindowWork window, WindowResult result)
    {
        var totals = document.Totals;
        switch (result.Status)
        {
            case WindowStatus.Fired:
                totals.WindowsFired++;
                break;
            case WindowStatus.AlreadyFired:
                totals.WindowsAlreadyFired++;
                break;
            case WindowStatus.WindowGone:
                return;
            case WindowStatus.ClaimedElsewhere:
                claimedElsewhereInCycle++;
                return;
            default:
                totals.WindowsFailed++;
                AddError($"firing window {window.Url} failed: {result.Error}");
                return;
        }

        document.Batched[window.Url] = window.End.UtcDateTime;
        document.BatchCount++;
        LaneOf(window.Lane).Dispatched++;
        var running = PerformanceOf(window.BatchingKey).Running;
        running.LoadJobs++;
        running.BatchJobs++;
    }

    /// <summary>Adds a route sweep's counts per rule; its problems (rule files that cannot be used among them) are errors.</summary>
    public void RecordRoutes(RouteOutcome outcome)
    {
        foreach (var (rule, counts) in outcome.ByRule)
        {
            if (!document.Routes.TryGetValue(rule, out var route))
            {
                route = new RouteStatus();
                document.Routes[rule] = route;
            }

            route.Matched += counts.Matched;
            route.Routed += counts.Routed;
            route.AlreadyRouted += counts.AlreadyRouted;
            route.NoActions += counts.NoActions;
            route.Failed += counts.Failed;
        }

        var totals = document.Totals;
        totals.RouteUnmatched += outcome.Unmatched;
        totals.RouteWaiting = outcome.Waiting;
        totals.RouteListPages += outcome.ListPages;
        totals.RouteGetCalls += outcome.GetCalls;
        totals.RouteRecordsRemoved += outcome.RecordsRemoved;
        foreach (var error in outcome.Errors)
        {
            AddError(error);
        }
    }

    /// <summary>
    /// The groups a scan found: the waiting ones replace those of the previous cycle in <c>Groups</c> (groups completed during
    /// the run stay listed, up to <see cref="GroupScan.MaxListed"/>), and the counts of waiting and malformed groups.
    /// </summary>
    public void RecordGroups(GroupScan scan, DateTimeOffset now)
    {
        foreach (var name in document.Groups.Where(g => !g.Value.Completed).Select(g => g.Key).ToList())
        {
            document.Groups.Remove(name);
        }

        foreach (var view in scan.Waiting.Concat(scan.Due.Select(d => d.View)))
        {
            document.Groups[view.Name] = GroupStatus.Of(view, now);
        }

        document.Totals.GroupsWaiting = scan.WaitingTotal;
        document.Totals.GroupsMalformed = scan.Malformed;
    }

    /// <summary>What the completion activity did; its problems are errors.</summary>
    public void RecordGroupCompletions(GroupOutcome outcome)
    {
        var totals = document.Totals;
        foreach (var group in outcome.Groups)
        {
            switch (group.Result)
            {
                case GroupResult.Completed or GroupResult.AlreadyCompleted:
                    totals.GroupsCompleted += group.Result == GroupResult.Completed ? 1 : 0;
                    totals.GroupsAlreadyCompleted += group.Result == GroupResult.AlreadyCompleted ? 1 : 0;
                    totals.GroupsFailed += group.Result == GroupResult.Completed && !group.Succeeded ? 1 : 0;
                    if (document.Groups.TryGetValue(group.Name, out var listed))
                    {
                        listed.Completed = true;
                        listed.Outcome = group.Succeeded ? "success" : "failure";
                        if (document.Groups.Values.Count(g => g.Completed) > GroupScan.MaxListed)
                        {
                            document.Groups.Remove(group.Name);
                        }
                    }

                    break;
                case GroupResult.Failed:
                    totals.GroupCompletionsFailed++;
                    break;
            }

            if (group.Error is { } error)
            {
                AddError(error);
            }
        }
    }

    public void RecordCleanup(CleanupOutcome outcome)
    {
        document.Totals.StalledPairsRemoved += outcome.StalledPairsRemoved;
        document.Totals.OrphanMarkersRemoved += outcome.OrphanMarkersRemoved;
        document.Totals.Evicted += outcome.Evicted.Count;
        foreach (var error in outcome.Errors)
        {
            AddError(error);
        }
    }

    /// <summary>
    /// Closes a cycle; <paramref name="backlog"/> is the work still waiting after it, <paramref name="heldElsewhere"/> the
    /// work left to another dispatcher's claim before it was tried.
    /// </summary>
    public void CompleteCycle(int backlog, int heldElsewhere = 0)
    {
        document.Cycles++;
        document.Totals.Backlog = backlog;
        document.Totals.ClaimedElsewhere = heldElsewhere + claimedElsewhereInCycle;
        claimedElsewhereInCycle = 0;
    }

    /// <summary>The completion ledger's figures (with events on).</summary>
    public void RecordCompletions(CompletionReport report) => document.Completions = report;

    /// <summary>
    /// A copy of the document as of <paramref name="now"/>, safe to hand out while the run goes on.
    /// Without the maps it stays small (custom status, per-cycle publishing); their sizes remain in the counts.
    /// </summary>
    public StatusDocument Snapshot(DateTimeOffset now, bool withMaps = true)
    {
        document.TimeTakenMs = (long)(now.UtcDateTime - document.Started).TotalMilliseconds;
        var copy = StatusJson.Deserialize<StatusDocument>(StatusJson.Serialize(document));
        if (!withMaps)
        {
            copy.Jobs = [];
            copy.Batched = [];
        }

        return copy;
    }

    // A lane the configuration no longer names (work assigned before a change) is counted in main, as the throttle does.
    private LaneStatus LaneOf(string name) => document.Lanes[lanes[name].Name];

    private Performance PerformanceOf(string key)
    {
        if (!document.Performance.TryGetValue(key, out var performance))
        {
            performance = new Performance { ProjectID = key };
            document.Performance[key] = performance;
        }

        return performance;
    }

    private static void Add(Metrics metrics, JobKind kind)
    {
        switch (kind)
        {
            case JobKind.Query:
                metrics.QueryJobs++;
                break;
            case JobKind.Load:
                metrics.LoadJobs++;
                break;
            case JobKind.Copy:
                metrics.CopyJobs++;
                break;
            default:
                metrics.OtherJobs++;
                break;
        }
    }
}
