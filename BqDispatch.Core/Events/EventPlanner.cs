using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Events;

/// <summary>Finds a completed job's trace and plans its hand-off (see <see cref="EventPlan"/>); null when no trace waits.</summary>
public sealed class EventPlanner(DispatchConfig config, TraceLocator locator)
{
    private readonly LaneRules lanes = new(config.Lanes);

    public async Task<EventPlan?> Plan(JobCompletion completion, CancellationToken cancellation)
    {
        if (await locator.Find(completion, cancellation) is not { } trace)
        {
            return null;
        }

        var work = trace.Work(completion.Ended);
        return new EventPlan(
            work with { Lane = lanes.Assign(LaneSubjects.Of(work)) },
            trace.Updated + TimeSpan.FromMilliseconds(config.ThinkTimeMs),
            new ThrottleLimits(config.MaxConcurrentSQL, config.MaxConcurrentLoad),
            TimeSpan.FromSeconds(config.ReservationTtlSec),
            config.Lanes);
    }
}
