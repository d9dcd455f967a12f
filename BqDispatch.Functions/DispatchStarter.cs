using BqDispatch.Core.Hosting;
using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BqDispatch.Functions;

/// <summary>The outcome of a start attempt and the singleton instance it concerns.</summary>
public sealed record RunStart(string InstanceId, StartOutcome Outcome);

/// <summary>Starts the dispatch orchestration as a singleton (Core decides; this only calls Durable).</summary>
public static class DispatchStarter
{
    public static async Task<RunStart> Start(DurableTaskClient client, DispatcherSetup setup, CancellationToken cancellation)
    {
        var instanceId = SingletonRun.InstanceId(setup.Config);
        var outcome = await SingletonRun.StartUnlessActive(
            async () => RunStates.From(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellation)),
            () => client.ScheduleNewOrchestrationInstanceAsync(
                FunctionNames.Orchestrator, setup.Settings(), new StartOrchestrationOptions(instanceId), cancellation),
            // GrpcDurableTaskClient turns the host's AlreadyExists into this (durabletask-dotnet v1.25.0).
            e => e is OrchestrationAlreadyExistsException);
        return new RunStart(instanceId, outcome);
    }
}
