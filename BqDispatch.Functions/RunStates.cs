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
#pragma warning disable CS0618 // Obsolete in the SDK, but a chain passing from one run to the next may still report it.
        OrchestrationRuntimeStatus.ContinuedAsNew => RunState.Running,
#pragma warning restore CS0618
        OrchestrationRuntimeStatus.Suspended => RunState.Suspended,
        OrchestrationRuntimeStatus.Completed => RunState.Completed,
        OrchestrationRuntimeStatus.Failed => RunState.Failed,
        OrchestrationRuntimeStatus.Terminated => RunState.Terminated,
        _ => RunState.Unknown, // the obsolete Canceled, and anything newer
    };

    public static RunObservation Observe(OrchestrationMetadata? instance) => new(From(instance), instance?.LastUpdatedAt);

    public static InstanceView View(string instanceId, OrchestrationMetadata? instance) => instance is null
        ? new InstanceView(instanceId, RunState.NotFound)
        : new InstanceView(
            instanceId,
            From(instance),
            instance.CreatedAt,
            instance.LastUpdatedAt,
            instance.SerializedCustomStatus,
            instance.FailureDetails is { } failure ? $"{failure.ErrorType}: {failure.ErrorMessage}" : null);
}
