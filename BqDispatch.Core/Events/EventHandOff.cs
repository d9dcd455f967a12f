using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Events;

/// <summary>
/// The self-hosted handler of a completion: its trace is found and planned, waits out the think time, asks the
/// project's throttle (the one the cycles ask) and is handed off by the cycles' exactly-once hand-off. A job no trace
/// waits for goes to the route rules.
/// </summary>
public sealed class EventHandOff(
    EventPlanner planner, HandOffWorker handOffs, ProjectThrottles throttles, EventRouter router, TimeProvider clock) : ICompletionHandler
{
    public async Task<EventOutcome> Handle(JobCompletion completion, CancellationToken cancellation)
    {
        try
        {
            if (await planner.Plan(completion, cancellation) is not { } plan)
            {
                return new EventOutcome(await router.Route(completion, cancellation) ? EventResult.Routed : EventResult.UnknownJob);
            }

            var now = clock.GetUtcNow();
            if (now < plan.ReadyAt)
            {
                return new EventOutcome(EventResult.TooYoung, plan.ReadyAt);
            }

            var admission = throttles.AdmitEvent(plan.Work.Project, plan.Admission(now));
            if (admission.Held is [var hold, ..])
            {
                return new EventOutcome(EventResult.Held, Detail: $"{hold.By.Limit} ({hold.By.Scope})");
            }

            var outcome = await handOffs.HandOff(new HandOffBatch([plan.Work]), cancellation);
            return EventPlan.Outcome(outcome.Results[0]);
        }
        catch (StorageException e)
        {
            return new EventOutcome(EventResult.Failed, Detail: e.Message);
        }
    }
}
