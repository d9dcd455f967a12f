using System.Net;
using System.Text.Json.Nodes;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// The "run now" HTTP endpoint's answer: 202 when the chain was started, 409 when it is already active. The body
/// names the instance and this app's own status endpoint; it carries no Durable management URLs, which embed the
/// system key that can terminate or purge any instance.
/// </summary>
public static class RunNow
{
    public static HttpStatusCode StatusCodeFor(StartOutcome outcome) =>
        outcome == StartOutcome.Started ? HttpStatusCode.Accepted : HttpStatusCode.Conflict;

    /// <param name="statusUrl">The status endpoint of the app that answered (GET /api/status).</param>
    public static StatusReply Reply(string instanceId, StartOutcome outcome, Uri statusUrl) => new(
        StatusCodeFor(outcome),
        new JsonObject
        {
            ["Id"] = instanceId,
            ["Outcome"] = outcome.ToString(),
            ["StatusQueryGetUri"] = statusUrl.ToString(),
        }.ToJsonString());

    /// <summary>The status endpoint next to the run-now endpoint: same scheme, host and port, path /api/status, no query.</summary>
    public static Uri StatusUrlBeside(Uri runNowUrl) => new UriBuilder(runNowUrl) { Path = "/api/status", Query = "", Fragment = "" }.Uri;
}
