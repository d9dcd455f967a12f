using BqDispatch.Core.Configuration;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The window activity: create the _batch_ copy create-only first, then the .wis marker (W9 fixed: a failed
/// copy leaves no marker, so the window stays due and is retried instead of being lost).
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
        try
        {
            var batchUrl = Destination(window);
            var copy = await store.CopyIfAbsent(window.Url, window.Generation, batchUrl, ct);
            if (copy == CopyOutcome.SourceChanged)
            {
                return new WindowResult(window.Url, WindowStatus.WindowGone);
            }

            await store.Create(WindowName.MarkerName(window.Url), MarkerContent, ct);
            return new WindowResult(window.Url, copy == CopyOutcome.Copied ? WindowStatus.Fired : WindowStatus.AlreadyFired);
        }
        catch (StorageException e)
        {
            return new WindowResult(window.Url, WindowStatus.Failed, e.Message);
        }
    }
}
