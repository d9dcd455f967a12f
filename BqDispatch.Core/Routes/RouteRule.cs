using System.Text.Json.Nodes;

namespace BqDispatch.Core.Routes;

/// <summary>
/// One route rule: jobs its <see cref="When"/> matches get a post-action file with its <c>OnSuccess</c> or
/// <c>OnFailure</c> actions. <see cref="Name"/> is <c>Info.Name</c> when given, else <c>&lt;file name&gt;#&lt;index&gt;</c>,
/// or <c>Rules#&lt;index&gt;</c> for an inline rule; <see cref="RuleUrl"/> is where it came from (its file, or the
/// configuration).
/// </summary>
public sealed record RouteRule(string Name, string RuleUrl, RouteFilter When, JsonArray? OnSuccess, JsonArray? OnFailure)
{
    /// <summary>The actions for the job's outcome: OnSuccess for a success, OnFailure for a failure; null when there are none.</summary>
    public JsonArray? ActionsFor(FinishedJob job) =>
        (job.Failed ? OnFailure : OnSuccess) is { Count: > 0 } actions ? actions : null;

    /// <summary>
    /// §7.1: what the actions act on when their request names no <c>Source</c>: the job's destination when the rule
    /// matches on Dest, else its source. So an export or copy route acts on the table the job wrote.
    /// </summary>
    public string SourceFor(FinishedJob job) => When.Dest is not null ? job.Dest : job.Source;
}
