using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Throttling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BqDispatch.Functions;

/// <summary>
/// One job's completion event (instance id from the job, so redeliveries collapse into one): the ledger hears of it,
/// its trace is located and planned (activity), the think time is waited out (durable timer), the project's throttle
/// admits it (entity), and the cycles' exactly-once hand-off runs (activity, with the cycles' repeats); a job no trace
/// waits for goes to the route rules (activity). Whatever it comes to goes back to the ledger, which leaves to the sweep what the event did not hand off.
/// </summary>
public static class EventOrchestrator
{
    [Function(FunctionNames.EventOrchestrator)]
    public static async Task<EventResult> Run([OrchestrationTrigger] TaskOrchestrationContext context, JobCompletion completion)
    {
        var key = CompletionLedger.Key(completion.Project, completion.JobId);
        var sighting = new EventSighting(key, completion.Ended, Now(context));
        if (await context.Entities.CallEntityAsync<bool>(CompletionLedgerEntity.Id, nameof(CompletionLedgerEntity.SightEvent), sighting))
        {
            return EventResult.AlreadyHandedOff;
        }

        var outcome = await HandOff(context, completion);
        var settlement = new EventSettlement(key, outcome.Result, completion.Ended, Now(context));
        await context.Entities.CallEntityAsync(CompletionLedgerEntity.Id, nameof(CompletionLedgerEntity.Settle), settlement);
        return outcome.Result;
    }

    private static async Task<EventOutcome> HandOff(TaskOrchestrationContext context, JobCompletion completion)
    {
        try
        {
            var plan = await context.CallActivityAsync<EventPlan?>(FunctionNames.LocateTrace, completion, DurableDispatchEngine.Retry);
            if (plan is null)
            {
                var routed = await context.CallActivityAsync<bool>(FunctionNames.RouteJob, completion, DurableDispatchEngine.Retry);
                return new EventOutcome(routed ? EventResult.Routed : EventResult.UnknownJob);
            }

            if (plan.ReadyAt > Now(context))
            {
                await context.CreateTimer(plan.ReadyAt.UtcDateTime, CancellationToken.None);
            }

            var admission = await context.Entities.CallEntityAsync<Admission>(
                ProjectThrottleEntity.Of(plan.Work.Project), ProjectThrottleEntity.AdmitEventOperation, plan.Admission(Now(context)));
            if (admission.Held.Count > 0)
            {
                return new EventOutcome(EventResult.Held);
            }

            var outcome = await new DurableDispatchEngine(context).HandOff(new HandOffBatch([plan.Work]));
            return EventPlan.Outcome(outcome.Results[0]);
        }
        catch (TaskFailedException e)
        {
            // Every attempt failed: the sweep of a later cycle finds the job DONE and takes it on.
            return new EventOutcome(EventResult.Failed, Detail: e.Message);
        }
    }

    private static DateTimeOffset Now(TaskOrchestrationContext context) => OrchestrationTime.FromUtc(context.CurrentUtcDateTime);
}
