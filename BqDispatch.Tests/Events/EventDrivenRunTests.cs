using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Google;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Events;

/// <summary>
/// `bqdispatch run` with completion events for real: the process pulls from Google's Pub/Sub emulator while its cycles
/// list file:// task folders and the BigQuery emulator. A simulated BqTail takes every trigger object as soon as it
/// appears (moves it away and counts it), so a second hand-off of the same trace would show as a second trigger object.
/// </summary>
[Collection(PubSubCollection.Name)]
public sealed class EventDrivenRunTests(PubSubFixture pubsub) : IAsyncLifetime
{
    private const string Project = "p1";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-events-").FullName;
    private readonly ConcurrentDictionary<string, int> consumed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopBqTail = new();
    private BigQueryEmulator bigQuery = null!;
    private Task bqTail = Task.CompletedTask;
    private string topic = "";
    private string subscription = "";

    public async Task InitializeAsync()
    {
        bigQuery = await BigQueryEmulator.StartAsync();
        bigQuery.AddProject(Project);
        topic = await pubsub.Emulator.CreateTopic(Project, "done" + Guid.NewGuid().ToString("N")[..8]);
        subscription = await pubsub.Emulator.CreateSubscription(topic, "dispatch" + Guid.NewGuid().ToString("N")[..8]);
        bqTail = Task.Run(() => BqTail(stopBqTail.Token));
    }

    public async Task DisposeAsync()
    {
        await stopBqTail.CancelAsync();
        await bqTail;
        stopBqTail.Dispose();
        await bigQuery.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_job_that_finishes_mid_pause_is_handed_off_within_a_second_of_its_event_long_before_the_next_cycle()
    {
        using var run = Run(cyclePauseMs: 60_000);
        await Cycles(run, 1);

        // The first event warms the path up (an unknown job: nothing is handed off).
        await Publish(AuditLogEntryTests.JobChange(project: Project, jobId: "someone_elses_job", location: "US"));
        Assert.True(await CliProcess.WaitFor(() => Handled(run) >= 1, Patience), Log(run));

        var job = Finished("ds.t", 1);
        var published = Stopwatch.StartNew();
        await Publish(Event(job));
        Assert.True(await CliProcess.WaitFor(() => consumed.Count == 1, Patience), Log(run));
        var lag = published.Elapsed;

        Assert.Equal(1, CyclesSoFar(run));
        Assert.True(lag < TimeSpan.FromSeconds(1), $"handed off {lag.TotalMilliseconds:F0} ms after its event");
        var completions = (await Stop(run)).Completions!;
        Assert.Equal((1, 0), (completions.Event.Count, completions.Poll.Count));
        Assert.Equal(new EventCounts(Received: 2, Completions: 2, UnknownJobs: 1), completions.Events);
    }

    [Fact]
    public async Task The_same_event_delivered_three_times_gives_one_trigger_object()
    {
        using var run = Run(cyclePauseMs: 60_000);
        await Cycles(run, 1);

        var job = Finished("ds.t", 2);
        await Publish(Event(job), Event(job), Event(job));
        Assert.True(await CliProcess.WaitFor(() => Handled(run) >= 3, Patience), Log(run));
        await Task.Delay(500);

        Assert.Equal([1], consumed.Values);
        var completions = (await Stop(run)).Completions!;
        Assert.Equal(1, completions.Event.Count);
        Assert.Equal(2, completions.Events.Duplicates);
    }

    [Fact]
    public async Task A_lost_event_is_caught_by_the_next_cycles_sweep()
    {
        using var run = Run(cyclePauseMs: 300, sweepPauseMs: 1_000);
        await Cycles(run, 1);

        Finished("ds.t", 3);
        Assert.True(await CliProcess.WaitFor(() => consumed.Count == 1, Patience), Log(run));

        var completions = (await Stop(run)).Completions!;
        Assert.Equal((0, 1), (completions.Event.Count, completions.Poll.Count));
        Assert.Equal(0, completions.Events.Received);
    }

    [Fact]
    public async Task Events_and_sweeps_that_see_the_same_jobs_at_once_hand_each_trace_off_once()
    {
        // Cycles back to back (never idle while there is work) and events published at staggered moments across them.
        using var run = Run(cyclePauseMs: 0, sweepPauseMs: 1_000);
        await Cycles(run, 1);

        var jobs = new List<string>();
        for (var round = 0; round < 6; round++)
        {
            var batch = Enumerable.Range(1, 5).Select(i => Finished("ds.race", (round * 10) + i)).ToList();
            jobs.AddRange(batch);
            await Task.Delay(37 * round);
            await Publish([.. batch.Select(Event)]);
        }

        Assert.True(await CliProcess.WaitFor(() => consumed.Count == jobs.Count, Patience), Log(run));
        await Task.Delay(1_000);

        Assert.Equal(jobs.Count, consumed.Count);
        Assert.All(consumed.Values, n => Assert.Equal(1, n));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "tasks"), "*", SearchOption.AllDirectories));
        var completions = (await Stop(run)).Completions!;
        Assert.Equal(jobs.Count, completions.Event.Count + completions.Poll.Count);
    }

    [Fact]
    public async Task Unknown_jobs_malformed_messages_legacy_entries_and_failed_jobs_each_come_to_what_they_are()
    {
        using var run = Run(cyclePauseMs: 60_000);
        await Cycles(run, 1);

        var legacy = Finished("ds.q", 4, action: "query");
        var failed = Finished("ds.t", 5, error: "Not found: Table p1:ds.t");
        await Publish(
            AuditLogEntryTests.JobChange(project: Project, jobId: "bquxjob_1234", location: "US"),
            "{not json",
            AuditLogEntryTests.Legacy(project: Project, jobId: legacy),
            AuditLogEntryTests.JobChange(project: Project, jobId: failed, location: "US", errorMessage: "Not found: Table p1:ds.t"));
        Assert.True(await CliProcess.WaitFor(() => consumed.Count == 2, Patience), Log(run));

        Assert.Equal(1, CyclesSoFar(run));
        var completions = (await Stop(run)).Completions!;
        Assert.Equal(2, completions.Event.Count);
        Assert.Equal(new EventCounts(Received: 4, Completions: 3, UnknownJobs: 1, Malformed: 1), completions.Events);
        Assert.Contains(consumed.Keys, k => k.Contains("ds_q--4_00001_query", StringComparison.Ordinal));
        Assert.Contains(consumed.Keys, k => k.Contains("ds_t--5_00001_load", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_for_a_job_no_trace_waits_for_is_routed_at_once_when_a_route_rule_matches_it()
    {
        const string rules = """[{"When": {"Dest": ":mydataset\\.my_table_v2$", "Type": "QUERY"}, "Info": {"Name": "export_v2"}, "OnSuccess": [{"Action": "export", "Request": {"DestURL": "gs://exports/my_table_v2.json"}}]}]""";
        using var run = Run(cyclePauseMs: 60_000, rules: rules);
        await Cycles(run, 1);

        var now = DateTimeOffset.UtcNow;
        bigQuery.AddJob(new EmulatedJob(Project, "scheduled_query_1", "US", EmulatedJobType.Query, "analyst@p1", now - TimeSpan.FromSeconds(20))
        {
            RunningAt = now - TimeSpan.FromSeconds(20),
            DoneAt = now,
            Destination = new EmulatedTable(Project, "mydataset", "my_table_v2"),
        });
        await Publish(AuditLogEntryTests.JobChange(project: Project, jobId: "scheduled_query_1", location: "US", type: "QUERY"));
        Assert.True(await CliProcess.WaitFor(() => consumed.Count == 1, Patience), Log(run));

        Assert.Equal(1, CyclesSoFar(run));
        Assert.EndsWith($"proj:{Project}:US/scheduled_query_1.json", Assert.Single(consumed.Keys), StringComparison.Ordinal);
        var completions = (await Stop(run)).Completions!;
        Assert.Equal(new EventCounts(Received: 1, Completions: 1, Routed: 1), completions.Events);
    }

    private CliProcess Run(int cyclePauseMs, int sweepPauseMs = 60_000, string? rules = null)
    {
        var config = $$"""
            {"ProjectID":"{{Project}}","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/",
             "CyclePauseMs":{{cyclePauseMs}},"ThinkTimeMs":0,"TimeToLiveInMin":10,
             "EventSubscription":"{{subscription}}","EventSweepPauseMs":{{sweepPauseMs}}{{(rules is null ? "" : ",\"Rules\":" + rules)}}}
            """;
        return CliProcess.Start(
            ["run", "--config", config],
            new Dictionary<string, string>
            {
                [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort,
                [PubSubClient.EmulatorHostVariable] = pubsub.Emulator.HostAndPort,
            });
    }

    // A job of BqTail's into table that finished just now, its trace written a minute before; returns its job id.
    private string Finished(string table, int eventId, string action = "load", string? error = null)
    {
        var name = $"{table}--{eventId}_00001_{action}--dispatch";
        var jobId = name.Replace('.', '_');
        var trace = Path.Combine(root, "tasks", $"proj:{Project}:US", name);
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        File.WriteAllText(trace, "{}");
        File.SetLastWriteTimeUtc(trace, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        var now = DateTimeOffset.UtcNow;
        var type = action == "query" ? EmulatedJobType.Query : EmulatedJobType.Load;
        bigQuery.AddJob(new EmulatedJob(Project, jobId, "US", type, "tail@p1", now - TimeSpan.FromSeconds(30))
        {
            RunningAt = now - TimeSpan.FromSeconds(30),
            DoneAt = now,
            ErrorReason = error is null ? null : "notFound",
            ErrorMessage = error,
        });
        return jobId;
    }

    private static string Event(string jobId) => AuditLogEntryTests.JobChange(project: Project, jobId: jobId, location: "US");

    private Task Publish(params string[] messages) =>
        pubsub.Emulator.Publish(topic, [.. messages.Select(m => Encoding.UTF8.GetBytes(m))]);

    // BqTail: takes each trigger object as soon as it sees it, as it does when done with it.
    private async Task BqTail(CancellationToken stop)
    {
        var trigger = Path.Combine(root, "trigger");
        var taken = Path.Combine(root, "taken");
        Directory.CreateDirectory(taken);
        while (!stop.IsCancellationRequested)
        {
            if (Directory.Exists(trigger))
            {
                foreach (var file in Directory.EnumerateFiles(trigger, "*.json", SearchOption.AllDirectories))
                {
                    try
                    {
                        File.Move(file, Path.Combine(taken, Guid.NewGuid().ToString("N")));
                        consumed.AddOrUpdate(Path.GetRelativePath(trigger, file), 1, (_, n) => n + 1);
                    }
                    catch (IOException)
                    {
                        // Still being written, or gone: looked at again next round.
                    }
                }
            }

            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task Cycles(CliProcess process, int count) =>
        Assert.True(await CliProcess.WaitFor(() => CyclesSoFar(process) >= count, Patience), Log(process));

    private static int CyclesSoFar(CliProcess process) => process.Errors().Count(line => line.StartsWith("cycle ", StringComparison.Ordinal));

    // Events the receiver has handled: each unknown job and each hand-off says so on stderr.
    private static int Handled(CliProcess process) => process.Errors().Count(line => line.StartsWith("bqdispatch: event ", StringComparison.Ordinal));

    private static string Log(CliProcess process) => string.Join('\n', process.Errors());

    // Stops the process; returns the last run's status document (run prints each run's document on stdout).
    private static async Task<StatusDocument> Stop(CliProcess process)
    {
        process.Signal(CliProcess.Sigterm);
        await process.WaitForExit(Patience);
        Assert.True(process.ExitCode == 0, Log(process));
        return StatusJson.Deserialize<StatusDocument>(process.Output().Last(line => line.StartsWith('{')));
    }
}
