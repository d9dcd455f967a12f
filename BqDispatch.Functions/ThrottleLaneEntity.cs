using BqDispatch.Core.Throttling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Entities;

namespace BqDispatch.Functions;

/// <summary>
/// A project's throttle lane as a durable entity (key: LaneKeys.For(project)). The state is Core's ThrottleLane
/// (reservations and the matched watermark); Durable runs one operation at a time per entity.
/// </summary>
public sealed class ThrottleLaneEntity : TaskEntity<ThrottleLane>
{
    public const string Name = "ThrottleLane";

    public const string AdmitOperation = "admit";

    /// <summary>The one operation, "admit".</summary>
    public Admission Admit(AdmissionRequest request) => State.Admit(request);

    [Function(Name)]
    public static Task Dispatch([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<ThrottleLaneEntity>();
}
