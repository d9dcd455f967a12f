using System.Diagnostics;
using System.Globalization;
using System.Text;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.BigQuery;

namespace BqDispatch.Benchmarks.Groups;

/// <summary>
/// groups-1k: 10,000 traced load jobs that finish over 60 s, drained twice on `run`'s engine against the emulators (20 ms
/// per request) with the real REST clients: once as they are, once with 1,000 groups of 10 of them (a post-action file
/// for each group after its last member). Reports the BigQuery and Cloud Storage calls per cycle of both drains, and the
/// delay from a job's end to its trace's trigger object beside the delay from a group's last member's end to the group's
/// post-action file (both as the trigger bucket's creation times show them).
/// </summary>
public static class GroupsCommand
{
    private const string Project = "grp-p";
    private const int Groups = 1_000;
    private const int Members = 10;
    private const int Jobs = Groups * Members;

    public static async Task<int> Run(IReadOnlyList<string> args, TextWriter output, TextWriter log)
    {
        if (CommandOptions.Parse(args, log, ("--latency-ms", "20"), ("--seconds", "60")) is not { } options)
        {
            return 2;
        }

        var latency = options.Milliseconds("--latency-ms");
        var seconds = options.Int("--seconds");

        var without = await Drain(withGroups: false, latency, TimeSpan.FromSeconds(seconds), log);
        var with = await Drain(withGroups: true, latency, TimeSpan.FromSeconds(seconds), log);
        await output.WriteLineAsync(Report(without, with, latency, seconds));
        var ok = without.HandedOff == Jobs && with.HandedOff == Jobs && with.GroupsCompleted == Groups && without.Errors + with.Errors == 0;
        return ok ? 0 : 1;
    }

    private static async Task<Drained> Drain(bool withGroups, TimeSpan latency, TimeSpan over, TextWriter log)
    {
        await using var google = await EmulatedGoogle.Start(latency, "grp-tasks", "grp-trigger", "grp-ops");
        var (storage, bigQuery) = (google.Storage, google.BigQuery);

        bigQuery.AddProject(Project);
        var seeded = DateTimeOffset.UtcNow;
        var random = new Random(1);
        var ends = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        for (var i = 0; i < Jobs; i++)
        {
            // Each job ends 5 to 5 + over s after seeding; its trace was written 2 s before it (past the think time).
            var jobId = JobId(i);
            var done = seeded + TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(random.NextDouble() * over.TotalMilliseconds);
            storage.Seed("grp-tasks", $"BqDispatch/Tasks/proj:{Project}:US/grp.t--{i}_00001_load--dispatch", "{}"u8, seeded - TimeSpan.FromSeconds(2));
            bigQuery.AddJob(new EmulatedJob(Project, jobId, "US", EmulatedJobType.Load, "tail@example.com", seeded) { RunningAt = seeded, DoneAt = done });
            ends[jobId] = done;
        }

        if (withGroups)
        {
            for (var g = 0; g < Groups; g++)
            {
                var members = string.Join(", ", Enumerable.Range(g * Members, Members).Select(i => $"\"{Project}:US.{JobId(i)}\""));
                var json = "{\"Jobs\": [" + members + "], \"DeadlineSec\": 3600, " +
                    "\"OnSuccess\": [{\"Action\": \"query\", \"Request\": {\"SQL\": \"SELECT 1\", \"Dest\": \"ds.summary_" + g.ToString(CultureInfo.InvariantCulture) + "\"}}]}";
                storage.Seed("grp-tasks", $"BqDispatch/Tasks/_groups/g{g:D4}.json", Encoding.UTF8.GetBytes(json), seeded - TimeSpan.FromSeconds(2));
            }
        }

        var environment = google.Environment();
        using var setup = await DispatcherSetup.Create(Config, environment, CancellationToken.None);
        var cycles = new List<CycleCalls>();
        var (lists, gets, gcs) = (0, 0, 0);
        StatusDocument? last = null;
        using var stop = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        var running = setup.ContinueInProcess(await setup.KeptThrottles(CancellationToken.None), setup.Settings(), _ => { }, stop.Token, RunCarryOver.None, status =>
        {
            var requests = storage.Requests.Count;
            cycles.Add(new CycleCalls(bigQuery.ListCalls - lists, bigQuery.GetCalls - gets, requests - gcs));
            (lists, gets, gcs) = (bigQuery.ListCalls, bigQuery.GetCalls, requests);
            last = status;
        });

        while (!(last is { } s && s.Totals.HandedOff == Jobs && (!withGroups || s.Totals.GroupsCompleted == Groups)) && watch.Elapsed < over + TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        var result = await running;
        await log.WriteLineAsync($"groups-1k: drain {(withGroups ? "with" : "without")} groups: {cycles.Count} cycles in {watch.Elapsed.TotalSeconds:F0} s");

        var traceDelays = new List<double>();
        var groupDelays = new List<double>();
        foreach (var o in storage.Objects("grp-trigger"))
        {
            var file = o.Name[(o.Name.LastIndexOf('/') + 1)..];
            if (file.EndsWith("--group.json", StringComparison.Ordinal))
            {
                var g = int.Parse(file[1..5], CultureInfo.InvariantCulture);
                var lastEnd = Enumerable.Range(g * Members, Members).Max(i => ends[JobId(i)]);
                groupDelays.Add((o.Created - lastEnd).TotalMilliseconds);
            }
            else
            {
                traceDelays.Add((o.Created - ends[file[..^".json".Length]]).TotalMilliseconds);
            }
        }

        return new Drained(cycles, result.Status.Totals.HandedOff, result.Status.Totals.GroupsCompleted, result.Status.Errors.Count, traceDelays, groupDelays);
    }

    private static string JobId(int i) => $"grp_t--{i}_00001_load--dispatch";

    private static string Report(Drained without, Drained with, TimeSpan latency, int seconds)
    {
        var lines = new List<string>
        {
            $"groups-1k at {latency.TotalMilliseconds} ms per request: 10,000 traced load jobs ending over {seconds} s, drained without and with 1,000 groups of 10 of them",
            "",
            "| drain | cycles | jobs.list/cycle | jobs.get/cycle | BigQuery calls | Cloud Storage requests/cycle | hand-offs | groups completed | trace delay p50 / p95 / max ms | group delay p50 / p95 / max ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            Row("without groups", without),
            Row("with groups", with),
            "",
            $"BigQuery calls per cycle with groups: {Extra(without, with):+0.0;-0.0;0.0}% (calls over the drain: {Calls(without)} without, {Calls(with)} with)",
        };
        return string.Join('\n', lines);
    }

    private static string Row(string name, Drained d) =>
        $"| {name} | {d.Cycles.Count} | {d.Cycles.Average(c => c.Lists):F1} | {d.Cycles.Average(c => c.Gets):F1} | {Calls(d)} | {d.Cycles.Average(c => c.Storage):F0} | {d.HandedOff:N0} | {d.GroupsCompleted:N0} | " +
        $"{Figures(d.TraceDelays)} | {(d.GroupDelays.Count == 0 ? "–" : Figures(d.GroupDelays))} |";

    private static int Calls(Drained d) => d.Cycles.Sum(c => c.Lists + c.Gets);

    private static double Extra(Drained without, Drained with) =>
        100.0 * ((double)Calls(with) / with.Cycles.Count / ((double)Calls(without) / without.Cycles.Count) - 1);

    private static string Figures(List<double> delays)
    {
        var sorted = delays.Order().ToList();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        return $"{At(0.5):F0} / {At(0.95):F0} / {sorted[^1]:F0}";
    }

    private const string Config = """
        {
          "ProjectID": "grp-p",
          "AsyncTaskURL": "gs://grp-tasks/BqDispatch/Tasks/",
          "TriggerBucket": "gs://grp-trigger",
          "JournalURL": "gs://grp-ops/Journal/",
          "ErrorURL": "gs://grp-ops/errors/",
          "TimeToLiveInMin": 30
        }
        """;

    private sealed record CycleCalls(int Lists, int Gets, int Storage);

    private sealed record Drained(List<CycleCalls> Cycles, int HandedOff, int GroupsCompleted, int Errors, List<double> TraceDelays, List<double> GroupDelays);
}
