using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>Throttle reservations live in the project throttle entities, so they outlive the run that made them.</summary>
[Collection(DurableCollection.Name)]
public sealed class ReservationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_next_run_admits_nothing_while_the_previous_runs_reservations_hold_the_slots()
    {
        await using var app = await DurableApp.Start(
            azurite.Azurite,
            DurableApp.Config(new { MaxConcurrentLoad = 2, ReservationTtlSec = 600 }),
            (s, b) => Workloads.FinishedLoads(s, b, 5));

        var first = await Run(app);
        var second = await Run(app);

        Assert.Equal(2, first.Totals.HandedOff);
        Assert.Equal(3, first.Performance["p1"].Throttled.LoadJobs);
        Assert.Equal(0, second.Totals.HandedOff);
        Assert.Equal(3, second.Performance["p1"].Throttled.LoadJobs);
    }

    private static async Task<StatusDocument> Run(DurableApp app)
    {
        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: 1));
        var done = await app.WaitFor(i => i.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return StatusJson.Deserialize<StatusDocument>(done.SerializedOutput!);
    }
}
