using System.Globalization;
using System.Text;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks.Lanes;

/// <summary>
/// One configuration's figures: live waits, drain time, cycles, and API calls per cycle: Cloud Storage by route,
/// BigQuery as pages of the active listing, pages of the DONE listing, and jobs.get calls.
/// </summary>
public sealed record LanesResult(
    string Configuration,
    int Cycles,
    double WallSec,
    double SecPerCycle,
    int HandedOff,
    double LiveWaitP50Sec,
    double LiveWaitP95Sec,
    double LiveWaitMaxSec,
    double BackfillDrainedSec,
    double StorageCallsPerCycle,
    IReadOnlyDictionary<string, double> StorageCallsPerCycleByRoute,
    double ActiveListPagesPerCycle,
    double DoneListPagesPerCycle,
    double JobGetsPerCycle,
    string Status)
{
    public static LanesResult From(
        string name, int cycles, TimeSpan wall, LanesBqTail bqTail, IReadOnlyList<StorageEmulatorRequest> storage, IReadOnlyList<EmulatorRequest> bigQuery, string status)
    {
        double PerCycle(int count) => Math.Round((double)count / Math.Max(1, cycles), 1);
        var waits = bqTail.LiveWaits().Select(w => w.TotalSeconds).Order().ToList();
        double Percentile(double p) => waits.Count == 0 ? double.NaN : Math.Round(waits[(int)Math.Ceiling(p * waits.Count) - 1], 2);
        var started = DateTimeOffset.UtcNow - wall;
        return new LanesResult(
            name,
            cycles,
            Math.Round(wall.TotalSeconds, 1),
            Math.Round(wall.TotalSeconds / Math.Max(1, cycles), 2),
            bqTail.HandedOff,
            Percentile(0.5),
            Percentile(0.95),
            Percentile(1),
            Math.Round((bqTail.BackfillDrained() - started).TotalSeconds, 1),
            PerCycle(storage.Count),
            storage.GroupBy(r => r.Route).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => PerCycle(g.Count())),
            PerCycle(bigQuery.Count(r => r.Route == EmulatorRoutes.List && !r.QueryString.Contains("stateFilter=done", StringComparison.Ordinal))),
            PerCycle(bigQuery.Count(r => r.Route == EmulatorRoutes.List && r.QueryString.Contains("stateFilter=done", StringComparison.Ordinal))),
            PerCycle(bigQuery.Count(r => r.Route == EmulatorRoutes.Get)),
            status);
    }

    public static string Table(IReadOnlyList<LanesResult> results, TimeSpan latency)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"lanes-5k, {latency.TotalMilliseconds} ms per request:");
        text.AppendLine("| configuration | cycles | wall s | s/cycle | hand-offs | live wait p50 / p95 / max s | backfill drained after s | GCS calls/cycle (by route) | jobs.list pages/cycle, active + DONE | jobs.get/cycle |");
        text.AppendLine("|---|---:|---:|---:|---:|---|---:|---|---|---:|");
        foreach (var r in results)
        {
            var routes = string.Join(", ", r.StorageCallsPerCycleByRoute.Select(c => $"{c.Key} {c.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Configuration} | {r.Cycles} | {r.WallSec} | {r.SecPerCycle} | {r.HandedOff:N0} | {r.LiveWaitP50Sec} / {r.LiveWaitP95Sec} / {r.LiveWaitMaxSec} | {r.BackfillDrainedSec} | {r.StorageCallsPerCycle} ({routes}) | {r.ActiveListPagesPerCycle} + {r.DoneListPagesPerCycle} | {r.JobGetsPerCycle} |");
        }

        return text.ToString().TrimEnd();
    }
}
