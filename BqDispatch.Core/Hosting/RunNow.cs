using System.Net;

namespace BqDispatch.Core.Hosting;

/// <summary>The "run now" HTTP endpoint's answer: the check-status payload of the instance, with this code.</summary>
public static class RunNow
{
    /// <summary>202 Accepted when a run was started; 409 Conflict when one is already active (poll its status).</summary>
    public static HttpStatusCode StatusCodeFor(StartOutcome outcome) =>
        outcome == StartOutcome.Started ? HttpStatusCode.Accepted : HttpStatusCode.Conflict;
}
