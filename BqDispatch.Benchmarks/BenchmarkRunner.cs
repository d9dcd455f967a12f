using System.Diagnostics;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Benchmarks;

/// <summary>
/// Runs one workload: the emulators are seeded in a child process, the measured dispatch cycles run here through the
/// real clients (so memory figures are the dispatcher's own), then per-job polling asks about the same jobs.
/// </summary>
public static class BenchmarkRunner
{
    public static async Task<Measurement> Run(Workload workload, TimeSpan latency, int pollingParallelism, TextWriter log)
    {
        var now = DateTimeOffset.UtcNow;
        log.WriteLine($"[{workload.Name}] seeding {workload.Traces:N0} traces and jobs…");
        await using var testbed = await Testbed.Create(workload, now);
        await testbed.Emulators.Latency(latency);
        for (var i = 0; i < workload.WarmUpCycles; i++)
        {
            log.WriteLine($"[{workload.Name}] unmeasured cycle (the dispatcher's previous one)…");
            await DispatchRun.Execute(Engine(testbed, new ProjectThrottles()), RunSettings.From(testbed.Config, maxCycles: 1));
        }

        await testbed.Emulators.Reset();
        GC.Collect();

        var lanes = new ProjectThrottles();
        var cycles = 0;
        var handOffs = 0;
        var windows = 0;
        long lowerBound = 0;
        var status = "";
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using (var memory = new MemorySampler())
        {
            while (true)
            {
                var document = await DispatchRun.Execute(Engine(testbed, lanes), RunSettings.From(testbed.Config, maxCycles: 1));
                cycles++;
                var handed = document.Totals.HandedOff + document.Totals.AlreadyHandedOff;
                handOffs += handed;
                windows += document.BatchCount;
                lowerBound += testbed.LowerBound(handed, document.BatchCount);
                testbed.Remove(handed);
                status = document.Status == StatusDocument.Ok ? "ok" : $"error: {document.Error}";
                log.WriteLine($"[{workload.Name}] cycle {cycles}: {watch.Elapsed.TotalSeconds:F2}s (jobs.list {document.ListTime}), handed off {handed}, backlog {document.Totals.Backlog}, {status}");
                if (workload.Cycles is { } wanted ? cycles >= wanted : document.Totals.Backlog == 0 && handed == 0)
                {
                    break;
                }
            }

            watch.Stop();
            self.Refresh();
            var cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
            var counters = await testbed.Emulators.Counters();
            var storageCalls = counters.Storage;
            var bigQueryCalls = counters.BigQuery;
            long total = storageCalls.Values.Sum() + bigQueryCalls.Values.Sum();
            var peakManaged = memory.PeakManaged;
            var peakWorkingSet = memory.PeakWorkingSet;

            var pending = testbed.Pending();
            var (pollingCalls, pollingTime) = (pending.Count, TimeSpan.Zero);
            if (pending.Count <= PerJobPolling.MaxPolled)
            {
                log.WriteLine($"[{workload.Name}] per-job polling of {pending.Count:N0} pending jobs…");
                (pollingCalls, pollingTime) = await PerJobPolling.Poll(testbed.Jobs, pending, pollingParallelism);
            }
            var oursPerCycle = (double)bigQueryCalls.Values.Sum() / cycles;

            return new Measurement(
                workload.Name,
                workload.Description,
                workload.Traces,
                cycles,
                Math.Round(watch.Elapsed.TotalSeconds, 3),
                Math.Round(watch.Elapsed.TotalSeconds / cycles, 3),
                Math.Round(cpu, 2),
                handOffs,
                windows,
                Math.Round(handOffs / watch.Elapsed.TotalSeconds, 1),
                storageCalls,
                bigQueryCalls,
                total,
                lowerBound,
                Math.Round((double)total / lowerBound, 3),
                pollingCalls,
                Math.Round(pollingTime.TotalSeconds, 2),
                Math.Round(pollingCalls / Math.Max(1, oursPerCycle), 1),
                peakManaged / (1024 * 1024),
                peakWorkingSet / (1024 * 1024),
                pending.Count,
                pending.Count == 0 ? 0 : Math.Round(cpu / cycles / pending.Count * 1e6, 2),
                status);
        }
    }

    private static InProcessEngine Engine(Testbed testbed, ProjectThrottles throttles) =>
        new(testbed.Activities, throttles, SystemClock.Instance, _ => { }, CancellationToken.None);
}
