using System.Net;
using System.Text.Json;
using BqDispatch.Core.Hosting;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>The timer as the chain's watchdog and run-now, on the real backend: one instance whatever the timing.</summary>
[Collection(DurableCollection.Name)]
public sealed class WatchdogTests(AzuriteFixture azurite)
{
    // An empty task folder: runs have nothing to do, which keeps them cheap; long pauses keep them alive.
    private static readonly string Config = DurableApp.Config(new { CyclePauseMs = 5000 });

    [Fact]
    public async Task Two_starts_racing_run_one_chain_and_neither_fails()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config);

        // Both may read "no instance" before either writes: the backend then runs the start whose execution the
        // instance table names and discards the other (AzureStorage's ExecutionStarted de-duplication).
        var starts = await Task.WhenAll(
            DispatchStarter.Start(app.Client, app.InstanceId, watchdog: true, DateTimeOffset.UtcNow, CancellationToken.None),
            DispatchStarter.Start(app.Client, app.InstanceId, watchdog: true, DateTimeOffset.UtcNow, CancellationToken.None));
        var running = await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Running && i.SerializedCustomStatus is not null);
        await Task.WhenAll(app.Tick(), app.Tick());
        await Task.Delay(TimeSpan.FromSeconds(3));
        var later = await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Running);

        Assert.Contains(starts, s => s.Outcome == StartOutcome.Started);
        Assert.All(starts, s => Assert.Contains(s.Outcome, new[] { StartOutcome.Started, StartOutcome.LostRace, StartOutcome.AlreadyActive }));
        Assert.Equal(running.CreatedAt, later.CreatedAt);
        Assert.Equal(1, JsonSerializer.Deserialize<RunChain>(later.SerializedInput!)!.Run);
        Assert.True(JsonSerializer.Deserialize<RunSummary>(later.SerializedCustomStatus!)!.Cycles >= 1);
    }

    [Fact]
    public async Task Run_now_while_the_chain_runs_is_a_409_naming_our_own_status_endpoint()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config);

        var first = await app.RunNow();
        await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Running);
        var second = await app.RunNow();

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("http://localhost:7071/api/status", first.Headers["Location"]);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        using var body = JsonDocument.Parse(second.Body);
        Assert.Equal(app.InstanceId, body.RootElement.GetProperty("Id").GetString());
        Assert.Equal(nameof(StartOutcome.AlreadyActive), body.RootElement.GetProperty("Outcome").GetString());
        Assert.Equal("http://localhost:7071/api/status", body.RootElement.GetProperty("StatusQueryGetUri").GetString());

        // No Durable management URL: they carry the system key that can terminate or purge any instance.
        Assert.DoesNotContain("webhooks", first.Body + second.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", first.Body + second.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tick_restarts_a_dead_chain_and_leaves_a_live_one_alone()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config);
        await app.Tick();
        var first = await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Running);

        await app.Tick();
        Assert.Single(await app.Client.HistoryEventTypes(app.InstanceId), e => e == "ExecutionStarted");
        Assert.Equal(first.CreatedAt, (await app.Client.GetInstanceAsync(app.InstanceId))!.CreatedAt);

        await app.Client.TerminateInstanceAsync(app.InstanceId, "operator");
        await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Terminated);
        await app.Tick();

        var restarted = await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Running && i.CreatedAt > first.CreatedAt);
        Assert.Equal(1, JsonSerializer.Deserialize<RunChain>(restarted.SerializedInput!)!.Run);
    }

    [Fact]
    public async Task A_chain_without_progress_for_15_minutes_is_terminated_and_the_next_tick_starts_it_again()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, DurableApp.Config(new { CyclePauseMs = 60_000 }));
        await app.Tick();
        var stuck = await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Running);

        app.Clock.Offset = SingletonRun.StuckAfter + TimeSpan.FromMinutes(1);
        await app.Tick();
        await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Terminated);
        app.Clock.Offset = TimeSpan.Zero;
        await app.Tick();

        await app.WaitFor(i => i.RuntimeStatus == OrchestrationRuntimeStatus.Running && i.CreatedAt > stuck.CreatedAt);
    }
}
