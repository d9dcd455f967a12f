using System.Diagnostics;
using System.Text.Json;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Hosting;

namespace BqDispatch.Benchmarks.Lanes;

/// <summary>
/// lanes-5k: 4,000 backfill and 1,000 live finished loads in one project under one load limit, drained by a self-hosted
/// dispatcher (the `run` command's engine, throttle kept in JournalURL, real REST clients against both emulators) with
/// the backfill in its own lane at priority 4000, and again with one lane. Reports the live loads' wait from their
/// job's end to their trigger object, and the API calls per cycle.
/// </summary>
public static class LanesCommand
{
    private const int LoadLimit = 200;
    private const int CyclePauseMs = 1000;

    private static readonly TimeSpan MaxDrain = TimeSpan.FromMinutes(10);

    private static readonly string BackfillLane = """[{"Name": "backfill", "When": {"Dest": "backfill_.*"}, "Priority": 4000}]""";

    public static async Task<int> Run(IReadOnlyList<string> args, TextWriter output, TextWriter log)
    {
        if (CommandOptions.Parse(args, log, ("--latency-ms", "20"), ("--json", null)) is not { } options)
        {
            return 2;
        }

        var latency = options.Milliseconds("--latency-ms");
        var jsonFile = options.Text("--json");

        var results = new List<LanesResult>();
        foreach (var (name, lanes) in new[] { ("lanes", BackfillLane), ("one lane", "[]") })
        {
            results.Add(await Measure(name, lanes, latency, log));
        }

        await output.WriteLineAsync(LanesResult.Table(results, latency));
        var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        if (jsonFile is null)
        {
            await output.WriteLineAsync(json);
        }
        else
        {
            await File.WriteAllTextAsync(jsonFile, json);
        }

        return results.All(r => r.Status == "ok") ? 0 : 1;
    }

    private static async Task<LanesResult> Measure(string name, string lanes, TimeSpan latency, TextWriter log)
    {
        await using var google = await EmulatedGoogle.Start(latency, LanesBqTail.TasksBucket, LanesBqTail.TriggerBucket, "lanes-ops");
        var (storage, bigQuery) = (google.Storage, google.BigQuery);

        bigQuery.AddProject(LanesBqTail.Project);
        var bqTail = new LanesBqTail(storage, bigQuery);
        bqTail.SeedBackfill(DateTimeOffset.UtcNow);
        var environment = google.Environment();
        using var setup = await DispatcherSetup.Create(Config(lanes), environment, CancellationToken.None);
        var throttles = await setup.KeptThrottles(CancellationToken.None);
        await log.WriteLineAsync($"lanes-5k [{name}]: {LanesBqTail.Backfill:N0} backfill traces waiting, {LanesBqTail.Live:N0} live loads to finish one every {LanesBqTail.LiveEvery.TotalMilliseconds} ms; MaxConcurrentLoad {LoadLimit}, follow-up loads run {LanesBqTail.FollowUpRuns.TotalSeconds} s");

        storage.ResetCounters();
        bigQuery.ResetCounters();
        using var stop = new CancellationTokenSource(MaxDrain);
        var cycles = 0;
        var status = "ok";
        var watch = Stopwatch.StartNew();
        var consuming = bqTail.Consume(stop.Token);
        var producing = bqTail.Produce(stop.Token);
        var settings = setup.Settings();
        var runs = new BackToBackRuns(
            carried => setup.ContinueInProcess(throttles, settings, _ => { }, stop.Token, carried, _ =>
            {
                cycles++;
                if (bqTail.HandedOff == LanesBqTail.Backfill + LanesBqTail.Live)
                {
                    stop.Cancel();
                }
            }),
            settings.Pause,
            SystemClock.Instance);
        await runs.Run(
            document =>
            {
                status = document.Status == "ok" ? status : $"error: {document.Error}";
                return Task.CompletedTask;
            },
            e =>
            {
                status = $"error: {e.Message}";
                return stop.CancelAsync();
            },
            stop.Token);
        watch.Stop();
        await Task.WhenAll(consuming, producing);
        if (bqTail.HandedOff < LanesBqTail.Backfill + LanesBqTail.Live)
        {
            status = $"error: {bqTail.HandedOff:N0} of {LanesBqTail.Backfill + LanesBqTail.Live:N0} handed off within {MaxDrain.TotalMinutes} minutes";
        }

        var result = LanesResult.From(name, cycles, watch.Elapsed, bqTail, storage.Requests, bigQuery.Requests, status);
        await log.WriteLineAsync($"lanes-5k [{name}]: {cycles} cycles in {watch.Elapsed.TotalSeconds:F1} s; live wait p50 {result.LiveWaitP50Sec} s, p95 {result.LiveWaitP95Sec} s; {status}");
        return result;
    }

    private static string Config(string lanes) => $$"""
        {
          "ProjectID": "{{LanesBqTail.Project}}",
          "AsyncTaskURL": "gs://{{LanesBqTail.TasksBucket}}/{{LanesBqTail.TasksPrefix}}",
          "TriggerBucket": "gs://{{LanesBqTail.TriggerBucket}}",
          "JournalURL": "gs://lanes-ops/Journal/",
          "ErrorURL": "gs://lanes-ops/errors/",
          "MaxConcurrentLoad": {{LoadLimit}},
          "CyclePauseMs": {{CyclePauseMs}},
          "TimeToLiveInMin": 30,
          "Lanes": {{lanes}}
        }
        """;
}
