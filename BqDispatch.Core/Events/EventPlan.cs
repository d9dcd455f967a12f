using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Events;

/// <summary>
/// What an event's hand-off will do once its trace is found: the trace as work (in its lane), when it is out of the think
/// time, and what the project's throttle is asked. The same steps in the self-hosted handler and the Durable orchestration.
/// </summary>
/// <param name="ReadyAt">The end of the think time (the trace's last write + ThinkTimeMs), as a cycle counts it.</param>
public sealed record EventPlan(
    TraceWork Work, DateTimeOffset ReadyAt, ThrottleLimits Limits, TimeSpan ReservationTtl, IReadOnlyList<Lane>? Lanes)
{
    /// <summary>The throttle's question at <paramref name="now"/>.</summary>
    public EventAdmission Admission(DateTimeOffset now) => new(
        now, new AdmissionCandidate(Work.Url, Work.Kind, Work.Lane, Work.Created, LaneWork.WaitingSince(Work)), Limits, ReservationTtl, Lanes);

    /// <summary>
    /// What a hand-off came to, in the event path's words. Work another dispatcher claimed, or a trace gone or rewritten
    /// before its copy, is left to the cycles (<see cref="EventResult.Held"/>): they see what became of it.
    /// </summary>
    public static EventOutcome Outcome(HandOffResult result) => result.Status switch
    {
        HandOffStatus.HandedOff => new EventOutcome(EventResult.HandedOff),
        HandOffStatus.AlreadyHandedOff => new EventOutcome(EventResult.AlreadyHandedOff),
        HandOffStatus.ClaimedElsewhere => new EventOutcome(EventResult.Held, Detail: "another dispatcher claimed the trace"),
        HandOffStatus.SourceGone => new EventOutcome(EventResult.Held, Detail: "the trace was gone or rewritten before its copy"),
        _ => new EventOutcome(EventResult.Failed, Detail: result.Error),
    };
}
