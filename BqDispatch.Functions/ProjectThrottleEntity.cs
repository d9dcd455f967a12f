using BqDispatch.Core.Hosting;
using BqDispatch.Core.Throttling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Entities;

namespace BqDispatch.Functions;

/// <summary>
/// A project's throttle as a durable entity (key: ThrottleKeys.For(project)). The state is Core's ProjectThrottle
/// (reservations per lane and the matched watermark); Durable runs one operation at a time per entity and keeps the
/// state between runs.
/// </summary>
public sealed class ProjectThrottleEntity : TaskEntity<ProjectThrottle>
{
    public const string Name = "ProjectThrottle";

    public const string AdmitOperation = "admit";

    public const string AdmitEventOperation = "admitEvent";

    /// <summary>A cycle's admission.</summary>
    public Admission Admit(AdmissionRequest request) => State.Admit(request);

    /// <summary>An event's admission between cycles.</summary>
    public Admission AdmitEvent(EventAdmission admission) => State.AdmitEvent(admission);

    public static EntityInstanceId Of(string project) => new(Name, ThrottleKeys.For(project));

    [Function(Name)]
    public static Task Dispatch([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<ProjectThrottleEntity>();
}
