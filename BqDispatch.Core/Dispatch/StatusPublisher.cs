using System.Text;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The publish activities: after each cycle, JournalURL/performance.json gets the Performance map in the format
/// BqTail's balancer reads (reference §5.2), and JournalURL/queue.json the held work per lane when it changed; after
/// each run, JournalURL/status.json gets the run's status document, byte for byte what `bqdispatch once` prints. The
/// hosts' status and queue endpoints serve these two. A failed write is returned, not thrown: the run goes on.
/// </summary>
public sealed class StatusPublisher(DispatchConfig config, IObjectStore store)
{
    public const string PerformanceFile = "performance.json";

    public const string StatusFile = "status.json";

    public const string QueueFile = "queue.json";

    public string PerformanceUrl => config.JournalURL + PerformanceFile;

    public string StatusUrl => config.JournalURL + StatusFile;

    public string QueueUrl => config.JournalURL + QueueFile;

    /// <summary>The text of a run's status document, as the CLI prints it and status.json holds it.</summary>
    public static string DocumentText(StatusDocument document) => StatusJson.Serialize(document, indented: true);

    public Task<string?> PublishRun(StatusDocument document, CancellationToken ct) => Write(StatusUrl, DocumentText(document), ct);

    /// <summary>The last finished run's status document, or null when no run has finished with this JournalURL.</summary>
    public Task<string?> ReadLastRun(CancellationToken ct) => ReadText(StatusUrl, ct);

    /// <summary>The held work per lane after the latest cycle that changed it, or null when no cycle wrote one yet.</summary>
    public Task<string?> ReadQueue(CancellationToken ct) => ReadText(QueueUrl, ct);

    /// <summary>performance.json after a cycle, and queue.json when the cycle changed the queue (<paramref name="queue"/> given).</summary>
    public async Task<string?> Publish(StatusDocument status, QueueDocument? queue, CancellationToken ct)
    {
        var performance = Write(PerformanceUrl, StatusJson.Serialize(status.Performance), ct);
        var queued = queue is null ? Task.FromResult<string?>(null) : Write(QueueUrl, StatusJson.Serialize(queue, indented: true), ct);
        var errors = (await Task.WhenAll(performance, queued)).OfType<string>().ToList();
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    private async Task<string?> Write(string url, string text, CancellationToken ct)
    {
        try
        {
            await store.Put(url, Encoding.UTF8.GetBytes(text), ct);
            return null;
        }
        catch (StorageException e)
        {
            return $"writing {url} failed: {e.Message}";
        }
    }

    private async Task<string?> ReadText(string url, CancellationToken ct)
    {
        try
        {
            return Encoding.UTF8.GetString(await store.Read(url, ct));
        }
        catch (StorageException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
