using System.Text;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The publish activities: after each cycle, JournalURL/performance.json gets the Performance map in the format
/// BqTail's balancer reads (reference §5.2); after each run, JournalURL/status.json gets the run's status document,
/// byte for byte what `bqdispatch once` prints, which the hosts' status endpoints serve. A failed write is returned,
/// not thrown: the run goes on.
/// </summary>
public sealed class StatusPublisher(DispatchConfig config, IObjectStore store)
{
    public const string PerformanceFile = "performance.json";

    public const string StatusFile = "status.json";

    public string PerformanceUrl => config.JournalURL + PerformanceFile;

    public string StatusUrl => config.JournalURL + StatusFile;

    /// <summary>The text of a run's status document, as the CLI prints it and status.json holds it.</summary>
    public static string DocumentText(StatusDocument document) => StatusJson.Serialize(document, indented: true);

    public async Task<string?> PublishRun(StatusDocument document, CancellationToken ct)
    {
        try
        {
            await store.Put(StatusUrl, Encoding.UTF8.GetBytes(DocumentText(document)), ct);
            return null;
        }
        catch (StorageException e)
        {
            return $"writing {StatusUrl} failed: {e.Message}";
        }
    }

    /// <summary>The last finished run's status document, or null when no run has finished with this JournalURL.</summary>
    public async Task<string?> ReadLastRun(CancellationToken ct)
    {
        try
        {
            return Encoding.UTF8.GetString(await store.Read(StatusUrl, ct));
        }
        catch (StorageException e) when (e.Status == 404)
        {
            return null;
        }
    }

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
