using BqDispatch.Core.Configuration;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The window activity: claim the window, create the _batch_ copy create-only pinned to the claim, then the .wis marker
/// (W9 fixed: a failed copy leaves no marker, so the window stays due and is retried instead of being lost). A _batch_
/// copy that exists, or existed and was consumed by BqTail since, counts as made: a window is never fired twice
/// (see <see cref="HandOffClaims"/>).
/// </summary>
public sealed class WindowFirer(DispatchConfig config, IObjectStore store)
{
    private static readonly byte[] MarkerContent = "."u8.ToArray();

    public async Task<WindowOutcome> Fire(WindowBatch batch, CancellationToken cancellation) =>
        new(await BoundedParallel.Map(batch.Windows, config.HandOffParallelism, Fire, cancellation));

    /// <summary>Where BqTail expects the window: its object name under the batch prefix.</summary>
    public string Destination(WindowWork window) => TriggerPaths.Batch(config.TriggerBaseUrl, config.BatchPrefix, window.ObjectName);

    private async Task<WindowResult> Fire(WindowWork window, CancellationToken ct)
    {
        var batchUrl = Destination(window);
        try
        {
            var claim = await store.Claim(window.Url, window.Generation, window.LookFirst ? null : window.Metageneration, ct);
            if (claim.Outcome != ClaimOutcome.Claimed)
            {
                var status = claim.Outcome == ClaimOutcome.Taken ? WindowStatus.ClaimedElsewhere : WindowStatus.WindowGone;
                return new WindowResult(window.Url, status, Destination: batchUrl);
            }

            // An earlier claim may have copied before it stopped, and BqTail may have consumed that copy since.
            var copy = (window.LookFirst || window.Metageneration > 1) && await store.Presence(batchUrl, ct) != ObjectPresence.Absent
                ? CopyOutcome.DestinationExists
                : await store.CopyIfAbsent(window.Url, window.Generation, claim.Metageneration, batchUrl, ct);
            if (copy == CopyOutcome.SourceChanged)
            {
                // Claimed over since (its new claimant fires it) or removed.
                return new WindowResult(window.Url, WindowStatus.ClaimedElsewhere, Destination: batchUrl);
            }

            await store.Create(WindowName.MarkerName(window.Url), MarkerContent, ct);
            return new WindowResult(window.Url, copy == CopyOutcome.Copied ? WindowStatus.Fired : WindowStatus.AlreadyFired, Destination: batchUrl);
        }
        catch (StorageException e)
        {
            return new WindowResult(window.Url, WindowStatus.Failed, e.Message, batchUrl);
        }
    }
}
