using System.Net;
using System.Text.Json;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>The chain: a run that ends continues as the next one, and the status endpoint follows it.</summary>
[Collection(DurableCollection.Name)]
public sealed class ChainTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_run_that_ends_continues_as_the_next_and_the_status_endpoint_shows_both()
    {
        await using var app = await DurableApp.Start(
            azurite.Azurite, DurableApp.Config(new { CyclePauseMs = 1500 }), (s, b) => Workloads.FinishedLoads(s, b, 3));

        await app.StartRun(RunChain.Start with { MaxCycles = 2 });
        var second = await app.WaitFor(i => Input(i).Run >= 2);
        var status = await app.GetStatus();

        Assert.Equal(OrchestrationRuntimeStatus.Running, second.RuntimeStatus);
        var previous = Input(second).Previous!;
        Assert.Equal(2, previous.Cycles);
        Assert.Equal(3, previous.HandedOff);
        Assert.True(Input(second).Chained);

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var body = JsonDocument.Parse(status.Body);
        Assert.Equal(app.InstanceId, body.RootElement.GetProperty("InstanceId").GetString());
        Assert.Equal("Running", body.RootElement.GetProperty("RuntimeStatus").GetString());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Summary").ValueKind);
        var lastRun = StatusJson.Deserialize<StatusDocument>(body.RootElement.GetProperty("LastRun").GetRawText());
        Assert.Equal(3, lastRun.Totals.HandedOff);
        Assert.Equal(3, lastRun.Jobs.Count);

        // Each run's history is its own: the one in progress starts afresh.
        var history = await app.Client.HistoryEventTypes(app.InstanceId);
        Assert.Single(history, e => e == "ExecutionStarted");
        Assert.DoesNotContain(history, e => e == "ExecutionCompleted");
    }

    [Fact]
    public async Task Before_any_run_the_status_endpoint_says_so()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, DurableApp.Config());

        var status = await app.GetStatus();

        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        using var body = JsonDocument.Parse(status.Body);
        Assert.Equal("NotFound", body.RootElement.GetProperty("RuntimeStatus").GetString());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("LastRun").ValueKind);
    }

    private static RunChain Input(OrchestrationMetadata instance) => JsonSerializer.Deserialize<RunChain>(instance.SerializedInput!)!;
}
