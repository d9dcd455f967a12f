using BqDispatch.Core.Configuration;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The window activity: create the _batch_ copy create-only first, then the .wis marker (W9 fixed: a failed
/// copy leaves no marker, so the window stays due and is retried instead of being lost). A _batch_ copy that
/// existed and was consumed by BqTail since counts as made: a window is never fired twice.
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
            // The _batch_ copy may have been made by a dispatcher that died, failed or is still busy before its marker,
            // and consumed by BqTail since.
            var copy = window.LookFirst && await store.Presence(batchUrl, ct) != ObjectPresence.Absent
                ? CopyOutcome.DestinationExists
                : await store.CopyIfAbsent(window.Url, window.Generation, batchUrl, ct);
            if (copy == CopyOutcome.SourceChanged)
            {
                return new WindowResult(window.Url, WindowStatus.WindowGone, Destination: batchUrl);
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
