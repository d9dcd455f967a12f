using BqDispatch.Core.Configuration;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The hand-off activity (design §2.5): copy the trace create-only to its trigger path, then delete the
/// source only if it still has the generation that was copied. "Destination exists" means an earlier or
/// concurrent hand-off made it, so the delete is completed and the trace counted once. A trigger object that
/// existed and was consumed by BqTail since (soft delete remembers it) counts the same: the trace is never
/// handed off twice.
/// </summary>
public sealed class HandOffWorker(DispatchConfig config, IObjectStore store)
{
    public async Task<HandOffOutcome> HandOff(HandOffBatch batch, CancellationToken cancellation) =>
        new(await BoundedParallel.Map(batch.Traces, config.HandOffParallelism, HandOff, cancellation));

    /// <summary>Where BqTail expects this trace: the hour folder comes from the trace's creation, so retries agree.</summary>
    public string Destination(TraceWork trace) => TriggerPaths.PostJob(
        config.TriggerBaseUrl, config.PostJobPrefix, trace.Created, trace.Project, trace.Region, JobIdCodec.Parse(trace.JobId));

    private async Task<HandOffResult> HandOff(TraceWork trace, CancellationToken ct)
    {
        var destination = Destination(trace);
        try
        {
            // The trigger object may have been made by a dispatcher that died, failed or is still busy before its delete,
            // and consumed by BqTail since: a create-only copy would make it again.
            var copy = trace.LookFirst && await store.Presence(destination, ct) != ObjectPresence.Absent
                ? CopyOutcome.DestinationExists
                : await store.CopyIfAbsent(trace.Url, trace.Generation, destination, ct);
            if (copy == CopyOutcome.SourceChanged)
            {
                // Gone because it was handed off (by an earlier attempt of this very activity, whose result was lost, or
                // by another dispatcher): then its trigger object exists or existed, and the hand-off is done.
                return await store.Presence(destination, ct) == ObjectPresence.Absent
                    ? new HandOffResult(trace.Url, HandOffStatus.SourceGone, destination)
                    : new HandOffResult(trace.Url, HandOffStatus.AlreadyHandedOff, destination);
            }

            var status = copy == CopyOutcome.Copied ? HandOffStatus.HandedOff : HandOffStatus.AlreadyHandedOff;
            var delete = await store.Delete(trace.Url, trace.Generation, ct);
            return delete == DeleteOutcome.GenerationChanged
                ? new HandOffResult(trace.Url, status, destination, "the trace was rewritten after it was copied; the new version was kept")
                : new HandOffResult(trace.Url, status, destination);
        }
        catch (StorageException e)
        {
            return new HandOffResult(trace.Url, HandOffStatus.Failed, destination, e.Message);
        }
    }
}
