using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Routes;

/// <summary>How routing one job ended.</summary>
public enum RouteResult
{
    /// <summary>This call created the trigger object.</summary>
    Routed,

    /// <summary>The job's journal record says it was routed (by this dispatcher before, or another), or its trigger object exists or existed.</summary>
    AlreadyRouted,

    /// <summary>Another dispatcher started routing it less than a claim's lease ago: it is looked at again in a later sweep.</summary>
    InFlightElsewhere,

    /// <summary>A storage call failed; the job is tried again in a later sweep.</summary>
    Failed,
}

/// <summary>
/// Routes one job exactly once, with the discipline of the hand-off (<see cref="HandOffClaims"/>): the journal record is
/// created create-only first (only one dispatcher can), then the trigger object create-only, then the record is marked
/// done. A record that exists says the job is someone's: done, or its trigger object exists or existed (soft delete
/// remembers one BqTail consumed): never written again. Only a record left "routing" for longer than the lease with no
/// trace of its trigger object (its dispatcher died or failed between the two writes) is completed.
/// </summary>
public sealed class RouteWriter(IObjectStore store, string journalUrl, string triggerBaseUrl, string postJobPrefix)
{
    public string TriggerOf(FinishedJob job) => PostActionFile.Url(triggerBaseUrl, postJobPrefix, job);

    public string RecordOf(FinishedJob job) => RouteJournal.RecordUrl(journalUrl, job);

    public async Task<(RouteResult Result, string? Error)> Route(FinishedJob job, RouteRule rule, DateTimeOffset now, CancellationToken ct)
    {
        var trigger = TriggerOf(job);
        var record = RecordOf(job);
        try
        {
            var claim = await store.Create(record, RouteJournal.Serialize(new RouteRecord(rule.Name, trigger, now, RouteRecord.Routing)), ct);
            if (claim == CreateOutcome.AlreadyExists)
            {
                var existing = RouteJournal.Deserialize(await store.Read(record, ct));
                if (existing?.State == RouteRecord.Done || await store.Presence(trigger, ct) != ObjectPresence.Absent)
                {
                    return (RouteResult.AlreadyRouted, null);
                }

                if (existing is not null && now - existing.Time < HandOffClaims.Lease)
                {
                    return (RouteResult.InFlightElsewhere, null);
                }
            }

            var written = await store.Create(trigger, PostActionFile.Content(job, rule), ct);
            await store.Put(record, RouteJournal.Serialize(new RouteRecord(rule.Name, trigger, now, RouteRecord.Done)), ct);
            return (written == CreateOutcome.Created ? RouteResult.Routed : RouteResult.AlreadyRouted, null);
        }
        catch (StorageException e)
        {
            return (RouteResult.Failed, $"routing job {job.ProjectId}:{job.JobId} by rule {rule.Name} failed, it is tried again: {e.Message}");
        }
    }
}
