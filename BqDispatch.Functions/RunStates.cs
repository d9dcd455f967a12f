using BqDispatch.Core.Hosting;
using Microsoft.DurableTask.Client;

namespace BqDispatch.Functions;

/// <summary>Durable's instance metadata in Core's terms.</summary>
public static class RunStates
{
    public static RunState From(OrchestrationMetadata? instance) => instance?.RuntimeStatus switch
    {
        null => RunState.NotFound,
        OrchestrationRuntimeStatus.Pending => RunState.Pending,
        OrchestrationRuntimeStatus.Running => RunState.Running,
        OrchestrationRuntimeStatus.Suspended => RunState.Suspended,
        OrchestrationRuntimeStatus.Completed => RunState.Completed,
        OrchestrationRuntimeStatus.Failed => RunState.Failed,
        OrchestrationRuntimeStatus.Terminated => RunState.Terminated,
        _ => RunState.Unknown, // the obsolete ContinuedAsNew / Canceled, and anything newer
    };

    public static InstanceView View(string instanceId, OrchestrationMetadata? instance) => instance is null
        ? new InstanceView(instanceId, RunState.NotFound)
        : new InstanceView(
            instanceId,
            From(instance),
            instance.CreatedAt,
            instance.LastUpdatedAt,
            instance.SerializedCustomStatus,
            instance.SerializedOutput,
            instance.FailureDetails is { } failure ? $"{failure.ErrorType}: {failure.ErrorMessage}" : null);
}
