using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.DurableHost;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>An activity that throws after its effects landed is retried by the orchestration, as Durable retries it.</summary>
[Collection(DurableCollection.Name)]
public sealed class RetriedActivityTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_hand_off_retried_after_its_copies_landed_makes_no_second_trigger_object_and_counts_them_once()
    {
        var failures = 0;
        var options = LocalTaskHubOptions.Default with
        {
            AfterActivity = run => run.Name == FunctionNames.HandOff && Interlocked.Increment(ref failures) == 1
                ? throw new InvalidOperationException("the worker died after the hand-off's copies and deletes")
                : Task.CompletedTask,
        };
        await using var app = await DurableApp.Start(
            azurite.Azurite, DurableApp.Config(), (s, b) => Workloads.FinishedLoads(s, b, 4), options);

        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: 1));
        var done = await app.WaitFor(i => i.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var document = StatusJson.Deserialize<StatusDocument>(done.SerializedOutput!);
        Assert.Equal(2, failures);
        Assert.Equal(StatusDocument.Ok, document.Status);
        Assert.Equal((0, 4, 0), (document.Totals.HandedOff, document.Totals.AlreadyHandedOff, document.Totals.SourceGone));
        Assert.Equal(4, document.Performance["p1"].Dispatched.LoadJobs);
        var triggers = app.Storage.Objects("demo-trigger");
        Assert.Equal(4, triggers.Count);
        Assert.All(triggers, o => Assert.Equal(1, app.Storage.CreationCount("demo-trigger", o.Name)));
        Assert.Empty(app.Storage.Objects("demo-dispatch"));
    }
}
