using System.Text;
using BqDispatch.Cli.Demo;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>The demo workload through the real orchestrator, activities and throttle entities on the local Durable backend.</summary>
[Collection(DurableCollection.Name)]
public sealed class DemoRunTests(AzuriteFixture azurite)
{
    // Reservations expire between cycles (no BqTail starts the follow-up jobs here), so both engines drain the
    // same work in the same number of cycles whatever their speed.
    private static readonly string Config = DurableApp.Config(new { ReservationTtlSec = 1, CyclePauseMs = 1500 });

    [Fact]
    public async Task A_run_hands_everything_off_once_with_the_in_process_totals_and_the_clis_document()
    {
        var seeded = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        await using var app = await DurableApp.Start(azurite.Azurite, Config, (s, b) => DemoWorkload.Seed(s, b, seeded));

        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: 6));
        var done = await app.WaitFor(i => i.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var output = done.SerializedOutput!;
        var document = StatusJson.Deserialize<StatusDocument>(output);
        var expected = await InProcessRun(seeded);
        Assert.Equal(StatusDocument.Ok, document.Status);
        Assert.Equal(Totals(expected), Totals(document));
        Assert.Equal(expected.Jobs.Keys.Order(), document.Jobs.Keys.Order());

        // One shape: the output is our own serialization of the document, status.json holds what the CLI prints,
        // and the status endpoint embeds that text unchanged.
        Assert.Equal(StatusJson.Serialize(document), output);
        var published = Encoding.UTF8.GetString(app.Storage.Read("demo-ops", "BqDispatch/Journal/status.json")!);
        Assert.Equal(StatusPublisher.DocumentText(document), published);
        Assert.Contains("\"LastRun\":" + published, (await app.GetStatus()).Body, StringComparison.Ordinal);

        // Every episode replayed the run from its start (no extended sessions): dozens of replays, none diverged.
        var history = await app.Client.HistoryEventTypes(app.InstanceId);
        Assert.True(history.Count(e => e == "OrchestratorStarted") > 20, string.Join(" ", history));
        Assert.Single(history, e => e == "ExecutionCompleted");

        // Application Insights got the cycles' metrics.
        Assert.Equal(13, app.Telemetry.Metrics()[DispatchMetrics.HandOffs]);

        // Every trigger object exists and was created once (the emulator counts each create or copy that landed).
        var triggers = app.Storage.Objects("demo-trigger");
        Assert.Equal(expected.Totals.HandedOff + expected.BatchCount, triggers.Count);
        Assert.All(triggers, o => Assert.Equal(1, app.Storage.CreationCount("demo-trigger", o.Name)));
    }

    private static string Totals(StatusDocument d) =>
        $"handed off {d.Totals.HandedOff + d.Totals.AlreadyHandedOff}, windows {d.BatchCount}, evicted {d.Totals.Evicted}, backlog {d.Totals.Backlog}, failed {d.Totals.HandOffsFailed + d.Totals.WindowsFailed}, errors {d.Errors.Count}";

    private static async Task<StatusDocument> InProcessRun(DateTimeOffset seeded)
    {
        await using var storage = await CloudStorageEmulator.StartAsync();
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        DemoWorkload.Seed(storage, bigQuery, seeded);
        using var setup = await DispatcherSetup.Create(null, DurableApp.Environment(storage, bigQuery, Config), CancellationToken.None);
        var engine = new InProcessEngine(setup.Activities, new ProjectThrottles(), SystemClock.Instance, _ => { }, CancellationToken.None);
        return await DispatchRun.Execute(engine, setup.Settings(maxCycles: 6));
    }
}
