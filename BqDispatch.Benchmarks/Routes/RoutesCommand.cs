using System.Diagnostics;
using System.Globalization;
using System.Text;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.BigQuery;

namespace BqDispatch.Benchmarks.Routes;

/// <summary>
/// routes-10k: route rules over jobs no trace covers. 20 rules in RulesURL (each routes the queries into one of 20 of
/// 100 tables), against the BigQuery emulator (20 ms per request) with the real REST clients, on `run`'s engine. Three
/// phases: the catch-up over 10,000 DONE jobs of the look-back; a steady state with jobs finishing at a rate (a few run
/// longer than a cycle, so the sweep must learn from the active listing that they finished); a burst of 10,000 DONE
/// jobs within one cycle window. Reports BigQuery calls and time per cycle and routed per second.
/// </summary>
public static class RoutesCommand
{
    private const string Project = "routes-p";
    private const int Rules = 20;
    private const int Tables = 100;
    private const int CatchUp = 10_000;
    private const int CyclePauseMs = 3000;

    public static async Task<int> Run(IReadOnlyList<string> args, TextWriter output, TextWriter log)
    {
        if (CommandOptions.Parse(args, log, ("--latency-ms", "20"), ("--jobs-per-second", "100"), ("--seconds", "60")) is not { } options)
        {
            return 2;
        }

        var latency = options.Milliseconds("--latency-ms");
        var rate = options.Int("--jobs-per-second");
        var steadySeconds = options.Int("--seconds");

        await using var google = await EmulatedGoogle.Start(latency, "routes-tasks", "routes-trigger", "routes-ops");
        var (storage, bigQuery) = (google.Storage, google.BigQuery);

        for (var r = 0; r < Rules; r++)
        {
            storage.Seed("routes-ops", $"rules/table_{r:D2}.json", Encoding.UTF8.GetBytes(Rule(r)), DateTimeOffset.UtcNow);
        }

        bigQuery.AddProject(Project);
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < CatchUp; i++)
        {
            // Spread over the last 50 minutes, each DONE 2 s after its creation.
            AddJob(bigQuery, $"catchup_{i:D5}", start - TimeSpan.FromMinutes(50) + TimeSpan.FromMilliseconds(i * 290), TimeSpan.FromSeconds(2), i);
        }

        var environment = google.Environment();
        using var setup = await DispatcherSetup.Create(Config(), environment, CancellationToken.None);
        var settings = setup.Settings();
        var throttles = await setup.KeptThrottles(CancellationToken.None);
        await using var memory = new MemorySampler();
        var cycles = new List<CycleFigures>();
        var phase = "catch-up";
        var produced = 0;
        var watch = Stopwatch.StartNew();
        var lastCycleEnd = TimeSpan.Zero;
        var (lists, gets) = (0, 0);
        StatusDocument? previous = null;

        using var stop = new CancellationTokenSource();
        var runs = new BackToBackRuns(
            carried => setup.ContinueInProcess(throttles, settings, _ => { }, stop.Token, carried, status =>
            {
                // Each run starts its totals afresh: a cycle's routes are the difference within a run.
                var before = previous is { } p && p.Started == status.Started ? p.Routes.Values.Sum(r => r.Routed) : 0;
                var elapsed = watch.Elapsed;
                cycles.Add(new CycleFigures(
                    phase, (elapsed - lastCycleEnd).TotalSeconds, bigQuery.ListCalls - lists, bigQuery.GetCalls - gets,
                    status.Routes.Values.Sum(r => r.Routed) - before, status.Errors.Count));
                (lists, gets, lastCycleEnd) = (bigQuery.ListCalls, bigQuery.GetCalls, elapsed);
                previous = status;
            }),
            settings.Pause,
            SystemClock.Instance);

        var running = runs.Run(_ => Task.CompletedTask, e => { log.WriteLine($"routes-10k: {e.Message}"); return stop.CancelAsync(); }, stop.Token);
        await WaitFor(() => cycles.Count >= 2, stop.Token);
        phase = "steady";
        var steadyStart = watch.Elapsed;
        var random = new Random(1);
        while (watch.Elapsed - steadyStart < TimeSpan.FromSeconds(steadySeconds))
        {
            var now = DateTimeOffset.UtcNow;
            for (var k = 0; k < rate / 10; k++)
            {
                // One in twenty runs 30 s: it finishes cycles after its creation, seen running before.
                var runsFor = random.Next(20) == 0 ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(500 + random.Next(1500));
                AddJob(bigQuery, $"steady_{produced:D6}", now, runsFor, produced);
                produced++;
            }

            await Task.Delay(100);
        }

        await WaitFor(() => cycles.Count(c => c.Phase == "steady") >= 2 && watch.Elapsed - steadyStart > TimeSpan.FromSeconds(steadySeconds + 35), stop.Token);
        phase = "burst";
        var burstAt = DateTimeOffset.UtcNow;
        for (var i = 0; i < CatchUp; i++)
        {
            AddJob(bigQuery, $"burst_{i:D5}", burstAt - TimeSpan.FromMilliseconds(2_000 - (i % 1000)), TimeSpan.FromMilliseconds(500), i);
        }

        var burstCycles = cycles.Count;
        await WaitFor(() => cycles.Count >= burstCycles + 2, stop.Token);
        await stop.CancelAsync();
        await running;

        var expectedRouted = Expected(CatchUp) + Expected(produced) + Expected(CatchUp);
        var routedTotal = cycles.Sum(c => c.Routed);
        await output.WriteLineAsync(Report(cycles, latency, rate, produced, memory));
        await output.WriteLineAsync($"routed {routedTotal:N0} of {expectedRouted:N0} matched jobs with actions; peak managed heap {memory.PeakManaged / 1048576.0:F0} MB, peak working set {memory.PeakWorkingSet / 1048576.0:F0} MB");
        return routedTotal == expectedRouted && cycles.All(c => c.Errors == 0) ? 0 : 1;
    }

    // Jobs go round the 100 tables; the 20 rules route the first 20 of them.
    private static int Expected(int jobs) => Enumerable.Range(0, jobs).Count(i => i % Tables < Rules);

    private static void AddJob(BigQueryEmulator bigQuery, string id, DateTimeOffset created, TimeSpan runs, int i) =>
        bigQuery.AddJob(new EmulatedJob(Project, id, "US", EmulatedJobType.Query, "scheduler@example.com", created)
        {
            RunningAt = created,
            DoneAt = created + runs,
            Query = $"SELECT * FROM src.events_{i % Tables}",
            Destination = new EmulatedTable(Project, "mydataset", $"table_{i % Tables:D2}"),
        });

    private static async Task WaitFor(Func<bool> condition, CancellationToken stop)
    {
        while (!condition() && !stop.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private static string Report(List<CycleFigures> cycles, TimeSpan latency, int rate, int produced, MemorySampler memory)
    {
        var lines = new List<string>
        {
            $"routes-10k at {latency.TotalMilliseconds} ms per request: 20 rules, 10,000 DONE jobs in the look-back, then {rate} jobs/s for the steady state ({produced:N0} jobs, 5% running 30 s), then a burst of 10,000 DONE jobs",
            "",
            "| phase | cycles | s from cycle to cycle (3 s pause included) | jobs.list calls/cycle | jobs.get/cycle | routed | routed/s of cycle time |",
            "|---|---:|---:|---:|---:|---:|---:|",
        };
        foreach (var group in cycles.GroupBy(c => c.Phase))
        {
            var list = group.ToList();
            var seconds = list.Sum(c => c.Seconds);
            lines.Add($"| {group.Key} | {list.Count} | {seconds / list.Count:F2} | {list.Average(c => c.ListCalls):F1} | {list.Average(c => c.GetCalls):F1} | {list.Sum(c => c.Routed):N0} | {list.Sum(c => c.Routed) / seconds:F0} |");
        }

        lines.Add("");
        lines.Add("per cycle: " + string.Join(", ", cycles.Select(c => $"{c.Phase[0]} {c.Seconds:F1}s {c.ListCalls}L {c.GetCalls}G {c.Routed}R")));
        return string.Join('\n', lines);
    }

    private static string Rule(int r) =>
        "{\"When\": {\"Dest\": \":mydataset\\\\.table_" + r.ToString("D2", CultureInfo.InvariantCulture) + "$\", \"Type\": \"QUERY\"}, " +
        "\"OnSuccess\": [{\"Action\": \"export\", \"Request\": {\"DestURL\": \"gs://routes-exports/table_" + r.ToString("D2", CultureInfo.InvariantCulture) + "/$JobID.json.gz\"}}]}";

    private static string Config() => $$"""
        {
          "ProjectID": "{{Project}}",
          "AsyncTaskURL": "gs://routes-tasks/BqDispatch/Tasks/",
          "TriggerBucket": "gs://routes-trigger",
          "JournalURL": "gs://routes-ops/Journal/",
          "ErrorURL": "gs://routes-ops/errors/",
          "RulesURL": "gs://routes-ops/rules/",
          "CyclePauseMs": {{CyclePauseMs}},
          "TimeToLiveInMin": 30
        }
        """;

    private sealed record CycleFigures(string Phase, double Seconds, int ListCalls, int GetCalls, int Routed, int Errors);
}
