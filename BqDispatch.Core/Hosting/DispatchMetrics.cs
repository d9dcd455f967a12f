using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;

namespace BqDispatch.Core.Hosting;

/// <summary>One metric value a host reports (Application Insights custom metric, or any other sink).</summary>
public sealed record MetricValue(string Name, double Value);

/// <summary>
/// The metrics of one cycle, derived from the status snapshots the flow publishes after each cycle. The
/// snapshots carry run totals, so counters are the difference to the previous snapshot of the same run;
/// gauges (throttled, backlog) are the last cycle's values. The detection lag (BigQuery's end time of a job →
/// the cycle that noticed it) is the run's average and maximum so far, reported after cycles that handed off.
/// With completion events on, the ledger's figures too: its lag percentiles per path (gauges), and its counters as the
/// difference to the previous cycle of the run (from a run's second cycle on, since the ledger outlives runs).
/// </summary>
public static class DispatchMetrics
{
    public const string Cycles = "BqDispatch.Cycles";
    public const string HandOffs = "BqDispatch.HandOffs";
    public const string HandOffsFailed = "BqDispatch.HandOffsFailed";
    public const string WindowsFired = "BqDispatch.WindowsFired";
    public const string Evicted = "BqDispatch.Evicted";
    public const string Throttled = "BqDispatch.Throttled";
    public const string Backlog = "BqDispatch.Backlog";
    public const string Errors = "BqDispatch.NewErrors";
    public const string DetectionLagAvg = "BqDispatch.DetectionLagAvgMs";
    public const string DetectionLagMax = "BqDispatch.DetectionLagMaxMs";
    public const string EventHandOffs = "BqDispatch.Completions.EventHandOffs";
    public const string PollHandOffs = "BqDispatch.Completions.PollHandOffs";
    public const string EventLagP50 = "BqDispatch.Completions.EventLagP50Ms";
    public const string EventLagP95 = "BqDispatch.Completions.EventLagP95Ms";
    public const string PollLagP50 = "BqDispatch.Completions.PollLagP50Ms";
    public const string PollLagP95 = "BqDispatch.Completions.PollLagP95Ms";
    public const string EventsReceived = "BqDispatch.Events.Received";
    public const string EventDuplicates = "BqDispatch.Events.Duplicates";
    public const string EventUnknownJobs = "BqDispatch.Events.UnknownJobs";
    public const string EventsMalformed = "BqDispatch.Events.Malformed";
    public const string RoutesMatched = "BqDispatch.RoutesMatched";
    public const string Routed = "BqDispatch.Routed";
    public const string RoutesAlreadyRouted = "BqDispatch.RoutesAlreadyRouted";
    public const string RoutesNoActions = "BqDispatch.RoutesNoActions";
    public const string RoutesFailed = "BqDispatch.RoutesFailed";
    public const string GroupsCompleted = "BqDispatch.GroupsCompleted";
    public const string GroupsFailed = "BqDispatch.GroupsFailed";
    public const string GroupsWaiting = "BqDispatch.GroupsWaiting";

    /// <param name="previous">The snapshot published after the previous cycle of the same run; null for the first.</param>
    public static IReadOnlyList<MetricValue> ForCycle(StatusDocument? previous, StatusDocument current)
    {
        var before = previous?.Totals ?? new RunTotals();
        var now = current.Totals;
        List<MetricValue> lag = now.HandedOff > before.HandedOff && now.DetectionLagMaxMs > 0
            ? [new(DetectionLagAvg, now.DetectionLagAvgMs), new(DetectionLagMax, now.DetectionLagMaxMs)]
            : [];
        return
        [
            .. lag,
            new(Cycles, Delta(previous?.Cycles ?? 0, current.Cycles)),
            new(HandOffs, Delta(before.HandedOff + before.AlreadyHandedOff, now.HandedOff + now.AlreadyHandedOff)),
            new(HandOffsFailed, Delta(before.HandOffsFailed, now.HandOffsFailed)),
            new(WindowsFired, Delta(before.WindowsFired + before.WindowsAlreadyFired, now.WindowsFired + now.WindowsAlreadyFired)),
            new(Evicted, Delta(before.Evicted, now.Evicted)),
            new(Throttled, current.Performance
                .Where(p => !p.Key.EndsWith("/batching", StringComparison.Ordinal))
                .Sum(p => p.Value.Throttled.QueryJobs + p.Value.Throttled.LoadJobs + p.Value.Throttled.CopyJobs + p.Value.Throttled.OtherJobs)),
            new(Backlog, now.Backlog),
            // Errors holds distinct messages (at most 100): this counts messages not seen earlier in the run.
            new(Errors, Delta(previous?.Errors.Count ?? 0, current.Errors.Count)),
            .. Completions(previous?.Completions, current.Completions),
            .. RouteMetrics(previous, current),
            .. GroupMetrics(before, now),
        ];
    }

    /// <summary>Group counters and the waiting gauge, only once groups are in use.</summary>
    private static IEnumerable<MetricValue> GroupMetrics(RunTotals before, RunTotals now) =>
        now.GroupsWaiting + now.GroupsCompleted + now.GroupsAlreadyCompleted + now.GroupCompletionsFailed == 0
            ? []
            :
            [
                new(GroupsCompleted, Delta(before.GroupsCompleted, now.GroupsCompleted)),
                new(GroupsFailed, Delta(before.GroupsFailed, now.GroupsFailed)),
                new(GroupsWaiting, now.GroupsWaiting),
            ];

    /// <summary>Route counters summed over the rules (only when rules are in use); a rule's own figures are in the status.</summary>
    private static IEnumerable<MetricValue> RouteMetrics(StatusDocument? previous, StatusDocument current)
    {
        if (current.Routes.Count == 0)
        {
            return [];
        }

        var before = previous?.Routes.Values ?? (IEnumerable<RouteStatus>)[];
        var now = current.Routes.Values;
        return
        [
            new(RoutesMatched, Delta(before.Sum(r => r.Matched), now.Sum(r => r.Matched))),
            new(Routed, Delta(before.Sum(r => r.Routed), now.Sum(r => r.Routed))),
            new(RoutesAlreadyRouted, Delta(before.Sum(r => r.AlreadyRouted), now.Sum(r => r.AlreadyRouted))),
            new(RoutesNoActions, Delta(before.Sum(r => r.NoActions), now.Sum(r => r.NoActions))),
            new(RoutesFailed, Delta(before.Sum(r => r.Failed), now.Sum(r => r.Failed))),
        ];
    }

    private static IEnumerable<MetricValue> Completions(CompletionReport? before, CompletionReport? now)
    {
        if (now is null)
        {
            yield break;
        }

        yield return new(EventLagP50, now.Event.LagP50Ms);
        yield return new(EventLagP95, now.Event.LagP95Ms);
        yield return new(PollLagP50, now.Poll.LagP50Ms);
        yield return new(PollLagP95, now.Poll.LagP95Ms);
        if (before is null)
        {
            yield break;
        }

        yield return new(EventHandOffs, Delta(before.Event.Count, now.Event.Count));
        yield return new(PollHandOffs, Delta(before.Poll.Count, now.Poll.Count));
        yield return new(EventsReceived, Delta(before.Events.Received, now.Events.Received));
        yield return new(EventDuplicates, Delta(before.Events.Duplicates, now.Events.Duplicates));
        yield return new(EventUnknownJobs, Delta(before.Events.UnknownJobs, now.Events.UnknownJobs));
        yield return new(EventsMalformed, Delta(before.Events.Malformed, now.Events.Malformed));
    }

    private static double Delta(int before, int now) => Math.Max(0, now - before);
}
