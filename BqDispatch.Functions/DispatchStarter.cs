using BqDispatch.Core.Hosting;
using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BqDispatch.Functions;

/// <summary>The outcome of a start attempt and the singleton instance it concerns.</summary>
public sealed record RunStart(string InstanceId, StartOutcome Outcome);

/// <summary>Starts the dispatch chain as a singleton (Core decides; this only calls Durable).</summary>
public static class DispatchStarter
{
    /// <param name="watchdog">The timer's call: a stuck chain is terminated so that the next tick replaces it.</param>
    public static async Task<RunStart> Start(
        DurableTaskClient client, string instanceId, bool watchdog, DateTimeOffset now, CancellationToken cancellation)
    {
        var outcome = await SingletonRun.StartUnlessActive(
            async () => RunStates.Observe(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellation)),
            () => client.ScheduleNewOrchestrationInstanceAsync(
                FunctionNames.Orchestrator, RunChain.Start, new StartOrchestrationOptions(instanceId), cancellation),
            // The host's "already exists" answer, as the Durable client surfaces it.
            e => e is OrchestrationAlreadyExistsException,
            now,
            watchdog
                ? () => client.TerminateInstanceAsync(instanceId, $"no progress for {SingletonRun.StuckAfter.TotalMinutes} minutes", cancellation)
                : null);
        return new RunStart(instanceId, outcome);
    }
}
