using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Events;

/// <summary>
/// Routes a completed job that no trace waits for at once, by the route rules (the sweep would route it at its next
/// cycle): its job resource is read and given to <see cref="RouteSweeper.RouteFinished"/>, with the same rules, journal
/// and exactly-once as the sweep. Without rules (<paramref name="routes"/> null) nothing is read.
/// </summary>
public sealed class EventRouter(RouteSweeper? routes, IJobResources resources, TimeProvider clock)
{
    /// <summary>True when a rule routed the job now or had routed it; false when none did or it could not be read.</summary>
    public async Task<bool> Route(JobCompletion completion, CancellationToken cancellation)
    {
        if (routes is null)
        {
            return false;
        }

        try
        {
            if (await resources.GetResource(completion.Project, completion.JobId, completion.Location, cancellation) is not { } resource)
            {
                return false;
            }

            var outcome = await routes.RouteFinished(resource, clock.GetUtcNow(), cancellation);
            return outcome.ByRule.Values.Any(c => c.Routed + c.AlreadyRouted > 0);
        }
        catch (Exception e) when (e is BigQueryException or StorageException)
        {
            // The sweep of a later cycle finds the job DONE and routes it.
            return false;
        }
    }
}
