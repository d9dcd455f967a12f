using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using BqDispatch.Cli;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Throttling;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Cli;

/// <summary>
/// `bqdispatch run --http` for real: its status and queue on 127.0.0.1, and a restart in the middle of a throttled drain
/// that honours the reservations made before it (JournalURL/throttle.json) instead of admitting their slots again.
/// </summary>
public sealed partial class SelfHostedLanesTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-lanes-").FullName;
    private readonly HttpClient http = new();
    private BigQueryEmulator bigQuery = null!;

    public async Task InitializeAsync() => bigQuery = await BigQueryEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await bigQuery.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_restart_mid_drain_admits_nothing_its_predecessors_reservations_hold_and_the_endpoints_show_the_lanes()
    {
        // Project limit 3, the backfill lane's own limit 1; no BqTail takes the trigger objects, so reservations hold.
        Finished("live.t", 1);
        for (var i = 2; i <= 4; i++)
        {
            Finished($"backfill.events_{i}", i);
        }

        using (var first = Run())
        {
            var root = await Listening(first);
            await Cycles(first, 2);
            Assert.Equal(2, Triggers().Count);

            var status = await Get(root);
            Assert.Equal(HttpStatusCode.OK, status.Code);
            using var body = JsonDocument.Parse(status.Body);
            Assert.Equal("Running", body.RootElement.GetProperty("RuntimeStatus").GetString());
            var summary = JsonSerializer.Deserialize<RunSummary>(body.RootElement.GetProperty("Summary").GetRawText())!;
            Assert.Equal(new LaneSummary("backfill", 4000, 2, 0, 1, 2, summary.Lanes![1].OldestWaitSec), summary.Lanes[1]);
            Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("LastRun").ValueKind);

            var queue = await Get(new Uri(root, "queue"));
            Assert.Equal(HttpStatusCode.OK, queue.Code);
            var held = StatusJson.Deserialize<QueueDocument>(queue.Body).Lanes["backfill"];
            Assert.Equal(2, held.Queued);
            Assert.All(held.Work, w => Assert.Equal(new HeldBy("MaxConcurrentLoad", HeldBy.LaneScope, 1, 1), w.HeldBy));

            await Stop(first);
        }

        var kept = StatusJson.Deserialize<Dictionary<string, ProjectThrottle>>(File.ReadAllText(Path.Combine(root, "journal", ProjectThrottles.StateFile)));
        Assert.Equal(["backfill", "main"], kept["p1"].Reservations.Select(r => r.Lane).Order());

        using var second = Run();
        var address = await Listening(second);
        await Cycles(second, 2);

        // Without the kept reservations it would admit one more backfill trace at once.
        Assert.Equal(2, Triggers().Count);
        using (var status = JsonDocument.Parse((await Get(address)).Body))
        {
            var lastRun = StatusJson.Deserialize<StatusDocument>(status.RootElement.GetProperty("LastRun").GetRawText());
            Assert.Equal((1, 1), (lastRun.Lanes["main"].Dispatched, lastRun.Lanes["backfill"].Dispatched));
        }

        // BqTail starts the follow-up of the admitted backfill load: its reservation goes, and one more backfill trace with it.
        bigQuery.AddJob(new EmulatedJob("p1", "backfill_events_2--2_00002_copy--dispatch", "US", EmulatedJobType.Copy, "tail@p1", DateTimeOffset.UtcNow)
        {
            RunningAt = DateTimeOffset.UtcNow,
        });
        Assert.True(await CliProcess.WaitFor(() => Triggers().Count == 3, Patience), string.Join('\n', second.Errors()));
        var cycles = CyclesSoFar(second);
        await Cycles(second, cycles + 2);
        Assert.Equal(3, Triggers().Count);

        await Stop(second);
    }

    [Theory]
    [InlineData("0.0.0.0:8282", "only on a loopback address")]
    [InlineData("8282", "needs an address and a port")]
    [InlineData("localhost:8282", "needs an address and a port")]
    public void Http_takes_only_a_loopback_address_and_port(string value, string problem) =>
        Assert.Contains(problem, Assert.Throws<UsageException>(() => StatusServer.Endpoint(value)).Message, StringComparison.Ordinal);

    private CliProcess Run()
    {
        var config = $$"""
            {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/",
             "MaxConcurrentLoad":3,"ReservationTtlSec":600,"CyclePauseMs":200,"ThinkTimeMs":0,
             "Lanes":[{"Name":"backfill","When":{"Dest":"backfill_.*"},"Priority":4000,"MaxConcurrentLoad":1}]}
            """;
        return CliProcess.Start(
            ["run", "--http", "127.0.0.1:0", "--config", config],
            new Dictionary<string, string> { [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort });
    }

    // A load into table whose job finished a minute ago, its trace written before it.
    private void Finished(string table, int eventId)
    {
        var name = $"{table}--{eventId}_00001_load--dispatch";
        var trace = Path.Combine(root, "tasks", "proj:p1:US", name);
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        File.WriteAllText(trace, "{}");
        File.SetLastWriteTimeUtc(trace, DateTime.UtcNow - TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(eventId));
        bigQuery.AddJob(new EmulatedJob("p1", name.Replace('.', '_'), "US", EmulatedJobType.Load, "tail@p1", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2))
        {
            RunningAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2),
            DoneAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1),
        });
    }

    private List<string> Triggers()
    {
        var folder = Path.Combine(root, "trigger");
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)] : [];
    }

    private static async Task<Uri> Listening(CliProcess process)
    {
        Uri? address = null;
        Assert.True(
            await CliProcess.WaitFor(
                () => process.Errors().Select(line => StatusLine().Match(line)).FirstOrDefault(m => m.Success) is { } found && (address = new Uri(found.Groups[1].Value)) is not null,
                Patience),
            string.Join('\n', process.Errors()));
        return address!;
    }

    private static async Task Cycles(CliProcess process, int count) =>
        Assert.True(await CliProcess.WaitFor(() => CyclesSoFar(process) >= count, Patience), string.Join('\n', process.Errors()));

    private static int CyclesSoFar(CliProcess process) => process.Errors().Count(line => line.StartsWith("cycle ", StringComparison.Ordinal));

    private static async Task Stop(CliProcess process)
    {
        process.Signal(CliProcess.Sigterm);
        await process.WaitForExit(Patience);
        Assert.Equal(0, process.ExitCode);
    }

    private async Task<(HttpStatusCode Code, string Body)> Get(Uri url)
    {
        using var response = await http.GetAsync(url);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"^bqdispatch: status on (http://127\.0\.0\.1:\d+/) ")]
    private static partial Regex StatusLine();
}
