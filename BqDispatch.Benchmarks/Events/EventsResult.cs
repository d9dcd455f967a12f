using System.Globalization;
using System.Text;
using BqDispatch.Core.Events;

namespace BqDispatch.Benchmarks.Events;

/// <summary>
/// One configuration's drain of events-2k: the detection lag (job end → trigger object) of every hand-off as BqTail saw
/// it, the ledger's figures per path (the path that saw the job DONE first), and the API calls per hand-off.
/// </summary>
public sealed record EventsResult(
    string Configuration,
    int Cycles,
    double WallSec,
    int HandedOff,
    long LagP50Ms,
    long LagP95Ms,
    long LagMaxMs,
    PathSummary? EventPath,
    PathSummary? PollPath,
    int EventsPublished,
    int EventsDropped,
    double StorageCallsPerHandOff,
    double BigQueryCallsPerHandOff,
    string Status)
{
    public static EventsResult From(string name, int cycles, TimeSpan wall, EventsCommand.Bench bench, CompletionReport? completions, string status)
    {
        var lags = bench.BqTail.Lags().Select(l => (long)l.TotalMilliseconds).Order().ToList();
        long Percentile(double p) => lags.Count == 0 ? 0 : lags[Math.Clamp((int)Math.Ceiling(p * lags.Count) - 1, 0, lags.Count - 1)];
        var handedOff = Math.Max(1, bench.BqTail.HandedOff);
        return new EventsResult(
            name,
            cycles,
            Math.Round(wall.TotalSeconds, 1),
            bench.BqTail.HandedOff,
            Percentile(0.5),
            Percentile(0.95),
            Percentile(1),
            completions?.Event,
            completions?.Poll,
            bench.Feed?.Counts.Published ?? 0,
            bench.Feed?.Counts.Dropped ?? 0,
            Math.Round((double)bench.Storage.Requests.Count / handedOff, 2),
            Math.Round((double)bench.BigQuery.Requests.Count / handedOff, 3),
            status);
    }

    public static string Table(IReadOnlyList<EventsResult> results, IReadOnlyList<IdleResult> idle, TimeSpan latency, double drop)
    {
        static string Path(PathSummary? p) => p is null ? "–" : $"{p.Count:N0}: {p.LagP50Ms} / {p.LagP95Ms} / {p.LagMaxMs}";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"events-2k, {latency.TotalMilliseconds} ms per request, {drop:P0} of audit entries lost:");
        text.AppendLine("| configuration | cycles | wall s | hand-offs | lag p50 / p95 / max ms | event path: hand-offs: lag p50 / p95 / max ms | poll path: hand-offs: lag p50 / p95 / max ms | entries published / lost | GCS calls / hand-off | BigQuery calls / hand-off |");
        text.AppendLine("|---|---:|---:|---:|---|---|---|---|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Configuration} | {r.Cycles} | {r.WallSec} | {r.HandedOff:N0} | {r.LagP50Ms} / {r.LagP95Ms} / {r.LagMaxMs} | {Path(r.EventPath)} | {Path(r.PollPath)} | {r.EventsPublished:N0} / {r.EventsDropped:N0} | {r.StorageCallsPerHandOff} | {r.BigQueryCallsPerHandOff} |");
        }

        text.AppendLine();
        text.AppendLine("idle dispatcher, 8 folders, nothing to do:");
        text.AppendLine("| configuration | cycles | measured s | Cloud Storage calls / hour | BigQuery calls / hour |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in idle)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Configuration} | {r.Cycles} | {r.MeasuredSec} | {r.StorageCallsPerHour:N0} | {r.BigQueryCallsPerHour:N0} |");
        }

        return text.ToString().TrimEnd();
    }
}

/// <summary>What an idle dispatcher costs, extrapolated to an hour.</summary>
public sealed record IdleResult(string Configuration, int Cycles, double MeasuredSec, long StorageCallsPerHour, long BigQueryCallsPerHour, string Status)
{
    public static IdleResult From(string name, int cycles, TimeSpan length, EventsCommand.Bench bench, string status)
    {
        var perHour = TimeSpan.FromHours(1) / length;
        return new IdleResult(
            name,
            cycles,
            length.TotalSeconds,
            (long)Math.Round(bench.Storage.Requests.Count * perHour),
            (long)Math.Round(bench.BigQuery.Requests.Count * perHour),
            status);
    }
}
