using BqDispatch.Core.Hosting;
using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Xunit;

namespace BqDispatch.Functions.Tests;

/// <summary>The starter behind the timer and run-now: Core decides, the adapter reads the status and starts.</summary>
public sealed class DispatchStarterTests : IAsyncLifetime
{
    private const string Config = """
        {"ProjectID": "p", "AsyncTaskURL": "mem://d/Tasks/", "JournalURL": "mem://o/Journal/", "ErrorURL": "mem://o/errors/"}
        """;

    private readonly DurableTaskClient client = Substitute.For<DurableTaskClient>("test");
    private DispatcherSetup setup = null!;

    private string InstanceId => SingletonRun.InstanceId("mem://d/Tasks/");

    public async Task InitializeAsync() => setup = await DispatcherSetup.Create(Config, new Dictionary<string, string?>(), CancellationToken.None);

    public Task DisposeAsync()
    {
        setup.Dispose();
        return Task.CompletedTask;
    }

    private void Existing(OrchestrationRuntimeStatus? status) =>
        client.GetInstanceAsync(Arg.Is(InstanceId), Arg.Is(false), Arg.Any<CancellationToken>())
            .Returns(status is { } s ? new OrchestrationMetadata(FunctionNames.Orchestrator, InstanceId) { RuntimeStatus = s } : null);

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Running)]
    [InlineData(OrchestrationRuntimeStatus.Pending)]
    [InlineData(OrchestrationRuntimeStatus.Suspended)]
    public async Task An_active_run_is_skipped(OrchestrationRuntimeStatus status)
    {
        Existing(status);

        var start = await DispatchStarter.Start(client, setup, CancellationToken.None);

        Assert.Equal(StartOutcome.AlreadyActive, start.Outcome);
        _ = client.DidNotReceive().ScheduleNewOrchestrationInstanceAsync(
            Arg.Any<TaskName>(), Arg.Any<object?>(), Arg.Any<StartOrchestrationOptions?>(), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(OrchestrationRuntimeStatus.Completed)]
    [InlineData(OrchestrationRuntimeStatus.Failed)]
    public async Task Otherwise_the_orchestrator_starts_under_the_fixed_id_with_the_run_settings(OrchestrationRuntimeStatus? status)
    {
        Existing(status);

        var start = await DispatchStarter.Start(client, setup, CancellationToken.None);

        Assert.Equal(new RunStart(InstanceId, StartOutcome.Started), start);
        _ = client.Received(1).ScheduleNewOrchestrationInstanceAsync(
            Arg.Is<TaskName>(n => n.Name == FunctionNames.Orchestrator),
            Arg.Is<object?>(i => Equals(i, setup.Settings(null))),
            Arg.Is<StartOrchestrationOptions?>(o => o != null && o.InstanceId == InstanceId),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Losing_the_start_race_is_a_skip()
    {
        Existing(null);
        client.ScheduleNewOrchestrationInstanceAsync(Arg.Any<TaskName>(), Arg.Any<object?>(), Arg.Any<StartOrchestrationOptions?>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new OrchestrationAlreadyExistsException("exists"));

        var start = await DispatchStarter.Start(client, setup, CancellationToken.None);

        Assert.Equal(StartOutcome.LostRace, start.Outcome);
    }

    [Theory]
    [InlineData(null, RunState.NotFound)]
    [InlineData(OrchestrationRuntimeStatus.Running, RunState.Running)]
    [InlineData(OrchestrationRuntimeStatus.Pending, RunState.Pending)]
    [InlineData(OrchestrationRuntimeStatus.Suspended, RunState.Suspended)]
    [InlineData(OrchestrationRuntimeStatus.Completed, RunState.Completed)]
    [InlineData(OrchestrationRuntimeStatus.Failed, RunState.Failed)]
    [InlineData(OrchestrationRuntimeStatus.Terminated, RunState.Terminated)]
    public void Durable_statuses_map_onto_run_states(OrchestrationRuntimeStatus? status, RunState state) =>
        Assert.Equal(state, RunStates.From(status is { } s ? new OrchestrationMetadata("n", "i") { RuntimeStatus = s } : null));
}
