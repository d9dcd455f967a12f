using System.Text;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The publish activity: after each cycle, JournalURL/performance.json gets the Performance map in the
/// format BqTail's balancer reads (reference §5.2). A failed write is returned, not thrown: the run goes on.
/// </summary>
public sealed class StatusPublisher(DispatchConfig config, IObjectStore store)
{
    public const string PerformanceFile = "performance.json";

    public string PerformanceUrl => config.JournalURL + PerformanceFile;

    public async Task<string?> Publish(StatusDocument status, CancellationToken ct)
    {
        try
        {
            await store.Put(PerformanceUrl, Encoding.UTF8.GetBytes(StatusJson.Serialize(status.Performance)), ct);
            return null;
        }
        catch (StorageException e)
        {
            return $"writing {PerformanceUrl} failed: {e.Message}";
        }
    }
}
