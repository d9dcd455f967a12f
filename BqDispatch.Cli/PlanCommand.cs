using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Cli;

/// <summary>Dry run: what the next cycle would hand off, fire, hold back (and why), remove and evict. Changes nothing.</summary>
public static class PlanCommand
{
    public static async Task<int> Run(
        Options options, TextWriter stdout, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellation)
    {
        using var setup = await DispatcherSetup.Create(options.Config, environment, cancellation);

        // The reservations a self-hosted dispatcher kept at its last cycle count here too; nothing is written back.
        var preview = await CyclePreview.Of(setup.Activities, setup.Settings(), await setup.KeptThrottles(cancellation), DateTimeOffset.UtcNow, cancellation);
        await stdout.WriteLineAsync(Describe(preview));
        var routes = setup.Activities.Routes;
        if (routes.Rules.Configured)
        {
            var (planned, problems) = await routes.Preview(DateTimeOffset.UtcNow, cancellation);
            await stdout.WriteLineAsync(DescribeRoutes(planned, problems));
        }

        return preview.Scan.RootError is null ? 0 : 1;
    }

    /// <summary>Which DONE jobs of the look-back the route rules match, by which rule, and what the next sweeps would do with them.</summary>
    public static string DescribeRoutes(IReadOnlyList<PlannedRoute> routes, IReadOnlyList<string> problems)
    {
        const int MaxShown = 100;
        var lines = new List<string>();
        lines.AddRange(routes.Take(MaxShown).Select(r =>
            !r.HasActions ? $"matched    {r.Project}:{r.JobId} ({r.Type.ToLowerInvariant()}) by rule {r.Rule}: no actions for its outcome, not routed"
            : r.AlreadyRouted ? $"routed     {r.Project}:{r.JobId} ({r.Type.ToLowerInvariant()}) by rule {r.Rule} already (route journal)"
            : $"route      {r.Project}:{r.JobId} ({r.Type.ToLowerInvariant()}) by rule {r.Rule}\n        →  {r.Trigger}"));
        if (routes.Count > MaxShown)
        {
            lines.Add($"later      … and {routes.Count - MaxShown} more matched jobs");
        }

        lines.AddRange(problems.Select(p => $"problem    {p}"));
        lines.Add($"routes     {routes.Count(r => r.HasActions && !r.AlreadyRouted)} to route, {routes.Count(r => r.AlreadyRouted)} routed already, " +
            $"{routes.Count(r => !r.HasActions)} matched without actions, in the look-back (dry run: nothing was changed)");
        return string.Join('\n', lines);
    }

    public static string Describe(CyclePreview preview)
    {
        var scan = preview.Scan;
        if (scan.RootError is { } rootError)
        {
            return $"cannot plan: {rootError}";
        }

        var lines = new List<string>();
        lines.AddRange(preview.HandOffs.Select(m => $"hand off   {m.Source}  [lane {m.Lane}]\n        →  {m.Destination}"));
        lines.AddRange(preview.Windows.Select(m => $"fire       {m.Source}  [lane {m.Lane}]\n        →  {m.Destination}"));
        lines.AddRange(preview.Held.Select(h => $"hold       {h.URL}  [lane {h.Lane}]\n           ({Why(h)})"));
        lines.AddRange(preview.Removals.Select(url => $"remove     {url}"));
        lines.AddRange(preview.Evictions.Select(m => $"evict      {m.Source}\n        →  {m.Destination}"));
        lines.AddRange(preview.Groups.Select(g =>
            $"complete   group {g.Name} ({(g.Succeeded ? "success" : "failure")} actions)\n        →  {g.Trigger ?? "(no actions for its outcome: only the move to the journal)"}"));
        lines.AddRange(scan.Groups.Waiting.Select(v =>
            $"group      {v.Name}: {v.Done} of {v.Members} members DONE ({v.Failed} failed){(v.Open ? ", open" : "")}, deadline {v.Deadline.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z"));
        lines.AddRange(scan.Errors.Select(e => $"problem    {e}"));
        lines.AddRange(scan.Projects.Select(p =>
            $"waiting    {p.Project}: {p.Count} traces whose job runs or is pending, {p.NoFound} unknown to BigQuery, {p.Unresolved} unresolved"));
        if (scan.Groups.WaitingTotal > scan.Groups.Waiting.Count)
        {
            lines.Add($"later      … and {scan.Groups.WaitingTotal - scan.Groups.Waiting.Count} more waiting groups");
        }

        if (scan.DoneTotal > scan.Done.Count || scan.DueWindowsTotal > scan.DueWindows.Count)
        {
            lines.Add($"later      {scan.DoneTotal - scan.Done.Count} more DONE traces and {scan.DueWindowsTotal - scan.DueWindows.Count} more due windows beyond this cycle's chunk");
        }

        lines.Add($"in short   {preview.HandOffs.Count} hand-offs, {preview.Windows.Count} windows, {preview.Held.Count} held, " +
            $"{preview.Removals.Count} removals, {preview.Evictions.Count} evictions; {scan.WindowsNotDue} windows not due yet, " +
            $"{scan.Ignored} other objects ignored (dry run: nothing was changed)");
        if (preview.Groups.Count + scan.Groups.WaitingTotal + scan.Groups.Malformed > 0)
        {
            lines.Add($"groups     {preview.Groups.Count} to complete, {scan.Groups.WaitingTotal} waiting, {scan.Groups.Malformed} malformed (dry run: nothing was changed)");
        }

        return string.Join('\n', lines);
    }

    private static string Why(QueuedWork held) =>
        $"{held.Kind} jobs active in {(held.HeldBy.Scope == HeldBy.LaneScope ? $"lane {held.Lane} of {held.Project}" : held.Project)}: " +
        $"{held.HeldBy.Active}, {held.HeldBy.Limit} {held.HeldBy.Max}";
}
