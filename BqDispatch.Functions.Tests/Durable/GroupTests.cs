using System.Text;
using System.Text.Json.Nodes;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>A job group through the real orchestrator and its completion activity on the local Durable backend.</summary>
[Collection(DurableCollection.Name)]
public sealed class GroupTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_group_whose_members_finished_completes_once_and_an_open_one_is_in_the_queue()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, DurableApp.Config(), (storage, bigQuery) =>
        {
            Workloads.FinishedLoads(storage, bigQuery, 3);
            var members = Enumerable.Range(1, 3).Select(i => (JsonNode)$"p1:US.ds_t{i}--{1000 + i}_00001_load--dispatch");
            storage.Seed(Workloads.TasksBucket, Workloads.TasksPrefix + "_groups/nightly.json", Group([.. members], open: false));
            storage.Seed(Workloads.TasksBucket, Workloads.TasksPrefix + "_groups/still_open.json", Group([(JsonNode)"p1:US.ds_t1--1001_00001_load--dispatch"], open: true));
        });

        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: 2));
        var done = await app.WaitFor(i => i.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed);
        var queue = await app.GetQueue();

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var status = StatusJson.Deserialize<StatusDocument>(done.SerializedOutput!);
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.True(status.Groups["nightly"].Completed);
        Assert.Equal((3, 3), (status.Groups["nightly"].Members, status.Groups["nightly"].Done));
        Assert.False(status.Groups["still_open"].Completed);
        Assert.Equal(1, status.Totals.GroupsCompleted);
        Assert.Equal(3, status.Totals.HandedOff);

        var trigger = Assert.Single(app.Storage.Objects("demo-trigger"), o => o.Name.EndsWith("/proj:p1:US/nightly--group.json", StringComparison.Ordinal));
        Assert.Equal(1, app.Storage.CreationCount("demo-trigger", trigger.Name));
        Assert.False(app.Storage.Exists(Workloads.TasksBucket, Workloads.TasksPrefix + "_groups/nightly.json"));
        Assert.Contains(app.Storage.Objects("demo-ops"), o => o.Name.StartsWith("BqDispatch/Journal/groups/", StringComparison.Ordinal) && o.Name.EndsWith("/nightly.json", StringComparison.Ordinal));

        var queued = JsonNode.Parse(queue.Body)!;
        Assert.Equal(1, (int?)queued["GroupsWaiting"]);
        Assert.Equal("still_open", (string?)queued["Groups"]![0]!["Name"]);
        Assert.Equal(1, app.Telemetry.Metrics()[DispatchMetrics.GroupsCompleted]);
    }

    private static byte[] Group(JsonNode[] members, bool open) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["Jobs"] = new JsonArray(members),
        ["Open"] = open,
        ["OnSuccess"] = JsonNode.Parse("""[{"Action": "query", "Request": {"SQL": "SELECT 1"}}]"""),
    }.ToJsonString());
}
