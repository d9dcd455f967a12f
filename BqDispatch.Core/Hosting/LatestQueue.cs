using System.Net;
using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// The body of the queue endpoint (GET /api/queue in Azure, GET /queue self-hosted): the held work per lane after the
/// latest cycle that changed it, JournalURL/queue.json as its exact text.
/// </summary>
public static class LatestQueue
{
    public static StatusReply Compose(string? queueDocument, string queueUrl) =>
        string.IsNullOrWhiteSpace(queueDocument)
            ? new StatusReply(
                HttpStatusCode.NotFound,
                StatusJson.Serialize(new Dictionary<string, string> { ["Message"] = $"no queue yet: no cycle has written {queueUrl}" }))
            : new StatusReply(HttpStatusCode.OK, queueDocument);
}
