using System.Text;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks.Soak;

/// <summary>The soak's figures, judged against issue 9's targets.</summary>
public sealed record SoakReport(
    int Traces,
    int Windows,
    int TriggerObjectsCreated,
    int Lost,
    int Duplicated,
    IReadOnlyList<string> LostOrDuplicatedSamples,
    IReadOnlyDictionary<string, SoakRuns> RunStatuses,
    IReadOnlyList<string> ErrorSamples,
    int Held,
    int HeldUnderLimits,
    IReadOnlyList<string> HeldUnderLimitsSamples,
    double LagP50Seconds,
    double LagP95Seconds,
    double LagMaxSeconds,
    IReadOnlyList<string> SlowestSamples,
    int HandOffsOfHeldTraces,
    double HeldIncludedLagP95Seconds,
    double HeldIncludedLagMaxSeconds,
    double LongestStretchWithoutACycleSeconds,
    int StorageCalls,
    int BigQueryCalls,
    int CallsFailedOrDropped)
{
    /// <summary>0 lost, 0 duplicated, every run ok, nothing held under limits, p95 ≤ 6 s, max &lt; 15 s, no stretch over pause + one cycle (≈ 6 s).</summary>
    public bool MeetsTargets =>
        Lost == 0 && Duplicated == 0 && HeldUnderLimits == 0 && RunStatuses.Values.All(r => r.Error == 0 && r.Failed == 0)
        && LagP95Seconds <= 6 && LagMaxSeconds < 15 && LongestStretchWithoutACycleSeconds <= 6;

    public static SoakReport From(
        SoakOptions options, SoakBqTail bqTail, CloudStorageEmulator storage, BigQueryEmulator bigQuery, IReadOnlyList<SoakDispatcher> dispatchers, DateTimeOffset stopped)
    {
        var traces = bqTail.Traces;
        var triggers = traces.Select(t => (Name: t.TriggerName, Count: storage.CreationCount(SoakBqTail.TriggerBucket, t.TriggerName), Due: t.JobEnds < stopped))
            .Concat(bqTail.Windows.Select(w => (Name: w, Count: storage.CreationCount(SoakBqTail.TriggerBucket, w), Due: true)))
            .ToList();
        var lost = triggers.Where(t => t.Due && t.Count == 0).ToList();
        var duplicated = triggers.Where(t => t.Count > 1).ToList();
        // Detection lag of the traces the throttle never held back (a held trace waits for the limit, not for detection).
        var detected = traces.Where(t => t.TriggerCreated is not null && !bqTail.WasHeld(t))
            .Select(t => (Trace: t, Lag: Math.Max(0, (t.TriggerCreated!.Value - t.JobEnds).TotalSeconds)))
            .OrderBy(t => t.Lag)
            .ToList();
        var lags = detected.Select(t => t.Lag).ToList();
        var allLags = traces.Where(t => t.TriggerCreated is not null).Select(t => Math.Max(0, (t.TriggerCreated!.Value - t.JobEnds).TotalSeconds)).Order().ToList();
        var requests = storage.Requests;
        var runs = dispatchers.ToDictionary(
            d => d.Name,
            d => new SoakRuns(d.Runs.Count(r => r.Status == StatusDocument.Ok), d.Runs.Count(r => r.Status != StatusDocument.Ok), d.Failures.Count, d.Cycles));
        return new SoakReport(
            traces.Count,
            bqTail.Windows.Count,
            triggers.Sum(t => t.Count),
            lost.Count,
            duplicated.Count,
            [.. lost.Take(5).Select(t => "lost " + t.Name), .. duplicated.Take(5).Select(t => $"x{t.Count} {t.Name}")],
            runs,
            dispatchers.SelectMany(d => d.Runs.SelectMany(r => r.Errors).Concat(d.Failures)).Distinct().Take(5).ToList(),
            dispatchers.Sum(d => d.Held),
            dispatchers.Sum(d => d.HeldUnderLimits.Count),
            dispatchers.SelectMany(d => d.HeldUnderLimits).Take(5).ToList(),
            Percentile(lags, 0.50),
            Percentile(lags, 0.95),
            lags.Count == 0 ? 0 : Math.Round(lags[^1], 2),
            detected.TakeLast(3).Select(t => $"lag {t.Lag:F2} s: {t.Trace.TraceName}").ToList(),
            traces.Count(bqTail.WasHeld),
            Percentile(allLags, 0.95),
            allLags.Count == 0 ? 0 : Math.Round(allLags[^1], 2),
            Math.Round(dispatchers.Max(d => d.LongestStretchWithoutACycle(stopped)).TotalSeconds, 2),
            requests.Count,
            bigQuery.ListCalls + bigQuery.GetCalls,
            requests.Count(r => r.Status is 0 or 429 or 503) + bigQuery.Requests.Count(r => r.Status is 0 or 503));
    }

    public string Text()
    {
        var text = new StringBuilder();
        Line($"traces written                 {Traces:N0} (+ {Windows:N0} batch windows)");
        Line($"trigger objects created        {TriggerObjectsCreated:N0}");
        Line($"lost / duplicated              {Lost} / {Duplicated}");
        foreach (var (name, runs) in RunStatuses)
        {
            Line($"runs of {name,-22} {runs.Ok} ok, {runs.Error} error, {runs.Failed} failed; {runs.Cycles} cycles");
        }

        Line($"held back / under limits       {Held:N0} / {HeldUnderLimits}");
        Line($"detection lag p50 / p95 / max  {LagP50Seconds:F2} s / {LagP95Seconds:F2} s / {LagMaxSeconds:F2} s (job DONE → trigger object created; {HandOffsOfHeldTraces} traces held by a limit left out)");
        Line($"  with held traces: p95 / max  {HeldIncludedLagP95Seconds:F2} s / {HeldIncludedLagMaxSeconds:F2} s (their wait includes the throttle's)");
        Line($"longest stretch without cycle  {LongestStretchWithoutACycleSeconds:F2} s");
        Line($"calls                          {StorageCalls:N0} Cloud Storage, {BigQueryCalls:N0} BigQuery; {CallsFailedOrDropped:N0} answered 429/503 or dropped");
        foreach (var sample in LostOrDuplicatedSamples.Concat(ErrorSamples).Concat(HeldUnderLimitsSamples).Concat(SlowestSamples))
        {
            Line("  " + sample);
        }

        Line(MeetsTargets ? "targets met" : "targets NOT met");
        return text.ToString();

        void Line(string line) => text.AppendLine(line);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 2);
}

/// <summary>How one dispatcher's runs ended: ok, error (their status document), failed (threw); and its cycles.</summary>
public sealed record SoakRuns(int Ok, int Error, int Failed, int Cycles);
