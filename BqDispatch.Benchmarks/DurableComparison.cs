using System.Globalization;
using System.Text;
using BqDispatch.DurableHost;

namespace BqDispatch.Benchmarks;

/// <summary>
/// `--durable`: each selected workload on the in-process engine, then through the real orchestration on the local
/// Durable backend, and one deployed-shape run of a minute for its history size. Prints a Markdown table.
/// </summary>
public static class DurableComparison
{
    public static async Task<int> Run(IReadOnlyList<Workload> workloads, TimeSpan latency, int pollingParallelism, TextWriter log, TextWriter output)
    {
        log.WriteLine("benchmark: starting Azurite for the Durable runs");
        await using var azurite = await Azurite.Start(line => log.WriteLine("benchmark: " + line));
        log.WriteLine("benchmark: warm-up (one unmeasured pending-1k cycle on each engine)");
        var warm = await BenchmarkRunner.Run(Workload.All[0], latency, pollingParallelism, TextWriter.Null);
        await DurableBenchmark.Run(Workload.All[0], warm, latency, azurite, TextWriter.Null);

        var results = new List<(Measurement InProcess, DurableMeasurement Durable)>();
        foreach (var workload in workloads)
        {
            var inProcess = await BenchmarkRunner.Run(workload, latency, pollingParallelism, log);
            results.Add((inProcess, await DurableBenchmark.Run(workload, inProcess, latency, azurite, log)));
        }

        var minute = await DurableBenchmark.OneMinuteRun(Workload.All.Single(w => w.Name == "pending-10k"), latency, azurite, log);
        output.WriteLine(Table(results, minute, (int)latency.TotalMilliseconds));
        return results.All(r => r.InProcess.Status == "ok" && r.Durable.Status == "ok") && minute.Status == "ok" ? 0 : 1;
    }

    private static string Table(List<(Measurement InProcess, DurableMeasurement Durable)> results, (int Events, int Cycles, string Status) minute, int latencyMs)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Latency {latencyMs} ms per request. Durable: the Functions app's orchestrator, activities and lane entities on DurableTask.Core with the Azure Storage provider on Azurite, in this process (CPU and memory include the Durable runtime). Round trips are read from the run's history: from scheduling to the orchestrator episode that received the answer; an activity's overhead is its round trip less its body's time.");
        table.AppendLine();
        table.AppendLine("| workload | cycles | in-process s/cycle | Durable s/cycle | Durable ÷ in-process | hand-offs | calls (Durable run) | activities | activity body ms | Durable overhead per activity ms | entity calls | overhead per entity call ms | history events | peak heap MB | peak RSS MB |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (p, d) in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {d.Workload} | {d.Cycles} | {p.SecondsPerCycle:F2} | {d.SecondsPerCycle:F2} | {d.RatioToInProcess:F2}× | {d.HandOffs:N0} | {d.TotalCalls:N0} | {d.Activities} | {d.ActivityBodyMs:N0} | {d.OverheadPerActivityMs:N0} | {d.EntityCalls} | {d.OverheadPerEntityCallMs:N0} | {d.HistoryEvents:N0} | {d.PeakManagedMb} | {d.PeakWorkingSetMb} |");
        }

        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture,
            $"A run as deployed (TimeToLiveInMin 1, CyclePauseMs 3000) over pending-10k: {minute.Cycles} cycles, {minute.Events:N0} history events, status {minute.Status}.");
        return table.ToString();
    }
}
