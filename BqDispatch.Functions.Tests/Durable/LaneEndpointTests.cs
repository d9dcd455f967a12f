using System.Net;
using System.Text;
using System.Text.Json;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Throttling;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>
/// Lanes in the Azure shape: the orchestrator admits through the ProjectThrottle entities, GET /api/status shows the
/// lanes (running summary and last run), GET /api/queue the held work per lane and the limit holding it.
/// </summary>
[Collection(DurableCollection.Name)]
public sealed class LaneEndpointTests(AzuriteFixture azurite)
{
    private static readonly string Config = DurableApp.Config(new
    {
        MaxConcurrentLoad = 10,
        ReservationTtlSec = 600,
        Lanes = new[] { new { Name = "backfill", When = new { Dest = "backfill_.*" }, Priority = 4000, MaxConcurrentLoad = 1 } },
    });

    [Fact]
    public async Task Status_and_queue_show_the_lanes_and_the_held_work_with_its_limit()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config, Seed);
        var before = await app.GetQueue();

        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: 2));
        var done = await app.WaitFor(i => i.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed);
        var status = await app.GetStatus();
        var queue = await app.GetQueue();

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Contains("no queue yet", before.Body, StringComparison.Ordinal);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);

        // Live work went at once; the backfill lane's own limit let one of its three go, in the first cycle, and its
        // reservation (held by the entity across cycles) kept the others back in the second.
        var output = StatusJson.Deserialize<StatusDocument>(done.SerializedOutput!);
        Assert.Equal(3, output.Totals.HandedOff);
        Assert.Equal((2, 1), (output.Lanes["main"].Dispatched, output.Lanes["backfill"].Dispatched));
        Assert.Equal((4000L, 2, 2), (output.Lanes["backfill"].Priority, output.Lanes["backfill"].Queued, output.Lanes["backfill"].Throttled));

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var body = JsonDocument.Parse(status.Body);
        var lastRun = StatusJson.Deserialize<StatusDocument>(body.RootElement.GetProperty("LastRun").GetRawText());
        Assert.Equal(StatusJson.Serialize(output.Lanes), StatusJson.Serialize(lastRun.Lanes));
        var summary = JsonSerializer.Deserialize<RunSummary>(body.RootElement.GetProperty("Summary").GetRawText())!;
        Assert.Equal(
            [new LaneSummary("main", 512, 0, 0, 2, 0, 0), new LaneSummary("backfill", 4000, 2, 0, 1, 2, output.Lanes["backfill"].OldestWaitSec)],
            summary.Lanes);

        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        Assert.Equal("application/json; charset=utf-8", queue.Headers["Content-Type"]);
        var held = StatusJson.Deserialize<QueueDocument>(queue.Body);
        Assert.Equal(Encoding.UTF8.GetString(app.Storage.Read("demo-ops", "BqDispatch/Journal/queue.json")!), queue.Body);
        Assert.Empty(held.Lanes["main"].Work);
        Assert.Equal(2, held.Lanes["backfill"].Queued);
        Assert.All(held.Lanes["backfill"].Work, w =>
        {
            Assert.StartsWith("gs://demo-dispatch/BqDispatch/Tasks/proj:p1:US/backfill.events_", w.URL, StringComparison.Ordinal);
            Assert.Equal(("backfill", "load", 4000L), (w.Lane, w.Kind, w.Priority));
            Assert.Equal(new HeldBy("MaxConcurrentLoad", HeldBy.LaneScope, 1, 1), w.HeldBy);
        });
    }

    // Three backfill loads and two live ones, all finished a minute ago.
    private static void Seed(CloudStorageEmulator storage, BigQueryEmulator bigQuery)
    {
        var created = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2);
        var tables = new[] { "backfill.events_1", "backfill.events_2", "backfill.events_3", "live.t1", "live.t2" };
        for (var i = 0; i < tables.Length; i++)
        {
            var name = $"{tables[i]}--{1000 + i}_00001_load--dispatch";
            storage.Seed(Workloads.TasksBucket, $"{Workloads.TasksPrefix}proj:p1:US/{name}", Encoding.UTF8.GetBytes("{}"), created.AddSeconds(i));
            bigQuery.AddJob(new EmulatedJob("p1", name.Replace('.', '_'), "US", EmulatedJobType.Load, "tail@p", created.AddSeconds(i))
            {
                RunningAt = created.AddSeconds(i + 1),
                DoneAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1),
            });
        }
    }
}
