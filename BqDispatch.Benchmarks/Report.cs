using System.Globalization;
using System.Text;

namespace BqDispatch.Benchmarks;

/// <summary>The human-readable table of a benchmark run (Markdown, so it pastes into the README).</summary>
public static class Report
{
    public static string Table(IReadOnlyList<Measurement> results, int latencyMs)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Latency {latencyMs} ms per request. Calls are HTTP requests to the emulators during the measured cycles; CPU is the dispatcher process's own (the emulators run in a child process).");
        table.AppendLine();
        table.AppendLine("| workload | cycles | wall s | s/cycle | dispatcher CPU s | hand-offs | hand-offs/s | GCS calls (list/get/media/upload/patch/rewrite/delete) | BigQuery calls (list/get) | calls / lower bound | per-job polling BigQuery calls (per cycle) | polling ÷ ours | peak heap MB | peak RSS MB |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var gcs = string.Join("/", r.StorageCalls.Values);
            var bq = string.Join("/", r.BigQueryCalls.Values);
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Workload} | {r.Cycles} | {r.WallSeconds:F2} | {r.SecondsPerCycle:F2} | {r.DispatcherCpuSeconds:F2} | {r.HandOffs:N0} | {r.HandOffsPerSecond:N0} | {gcs} | {bq} | {r.TotalCalls:N0} / {r.LowerBound:N0} = {r.RatioToLowerBound:F2} | {Polling(r)} | {r.PeakManagedMb} | {r.PeakWorkingSetMb} |");
        }

        var scaling = results.Where(r => r.WaitingTraces > 0).ToList();
        if (scaling.Count > 0)
        {
            table.AppendLine();
            table.AppendLine("| workload | waiting traces | s/cycle | dispatcher CPU s per cycle | µs per waiting trace | peak heap MB | peak RSS MB | calls / lower bound |");
            table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in scaling)
            {
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Workload} | {r.WaitingTraces:N0} | {r.SecondsPerCycle:F2} | {r.DispatcherCpuSeconds / r.Cycles:F2} | {r.CpuMicrosPerWaitingTrace:F1} | {r.PeakManagedMb:N0} | {r.PeakWorkingSetMb:N0} | {r.RatioToLowerBound:F3} |");
            }
        }

        return table.ToString();
    }

    // A workload with nothing pending gives a poller nothing to ask: no ratio to show.
    private static string Polling(Measurement r) =>
        r.PollingCalls == 0 ? "– | –" : string.Create(CultureInfo.InvariantCulture, $"{r.PollingCalls:N0} | {r.PollingToOursBigQueryRatio:N1}×");
}
