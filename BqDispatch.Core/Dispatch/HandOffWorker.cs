using BqDispatch.Core.Configuration;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The hand-off activity (design §2.5): claim the trace, copy it create-only to its trigger path pinned to the claim,
/// then delete the source only if it still has the generation that was copied (see <see cref="HandOffClaims"/>).
/// A trigger object that exists, or existed and was consumed by BqTail since (soft delete remembers it), means the
/// trace was handed off: the delete is completed and the trace counted once. A trace is never handed off twice.
/// </summary>
public sealed class HandOffWorker(DispatchConfig config, IObjectStore store)
{
    public async Task<HandOffOutcome> HandOff(HandOffBatch batch, CancellationToken cancellation) =>
        new(await BoundedParallel.Map(batch.Traces, config.HandOffParallelism, HandOff, cancellation));

    /// <summary>Where BqTail expects this trace: the hour folder comes from the trace's creation, so retries agree.</summary>
    public string Destination(TraceWork trace) => DestinationOf(config, trace);

    /// <inheritdoc cref="Destination"/>
    public static string DestinationOf(DispatchConfig config, TraceWork trace) => TriggerPaths.PostJob(
        config.TriggerBaseUrl, config.PostJobPrefix, trace.Created, trace.Project, trace.Region, JobIdCodec.Parse(trace.JobId));

    private async Task<HandOffResult> HandOff(TraceWork trace, CancellationToken ct)
    {
        var destination = Destination(trace);
        try
        {
            // A repeat takes over whatever claim there is: its own earlier claim may have landed unseen.
            var claim = await store.Claim(trace.Url, trace.Generation, trace.LookFirst ? null : trace.Metageneration, ct);
            if (claim.Outcome == ClaimOutcome.Taken)
            {
                return new HandOffResult(trace.Url, HandOffStatus.ClaimedElsewhere, destination);
            }

            if (claim.Outcome == ClaimOutcome.Gone)
            {
                // Gone because it was handed off (by an earlier attempt of this very activity, whose result was lost, or
                // by another dispatcher)? Then its trigger object exists or existed, and the hand-off is done.
                return await WasHandedOff(destination, ct)
                    ? new HandOffResult(trace.Url, HandOffStatus.AlreadyHandedOff, destination)
                    : new HandOffResult(trace.Url, HandOffStatus.SourceGone, destination);
            }

            // An earlier claim (a dispatcher that died or failed, or this one's own unseen attempt) may have copied before
            // it stopped, and BqTail may have consumed that copy since: a create-only copy would make it again.
            var copy = (trace.LookFirst || trace.Metageneration > 1) && await WasHandedOff(destination, ct)
                ? CopyOutcome.DestinationExists
                : await store.CopyIfAbsent(trace.Url, trace.Generation, claim.Metageneration, destination, ct);
            if (copy == CopyOutcome.SourceChanged)
            {
                // Claimed over since (its new claimant copies it) or removed by someone else.
                return await WasHandedOff(destination, ct)
                    ? new HandOffResult(trace.Url, HandOffStatus.AlreadyHandedOff, destination)
                    : new HandOffResult(trace.Url, HandOffStatus.ClaimedElsewhere, destination);
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

    private async Task<bool> WasHandedOff(string destination, CancellationToken ct) =>
        await store.Presence(destination, ct) != ObjectPresence.Absent;
}
