using BqDispatch.Core.Events;
using System.Text.Json.Serialization;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// The status of one run, with bqtail's field names (reference §5.3) and exact meanings. Status is "ok"
/// when the run met only benign conflicts, "error" when work it should have done failed or was left undone.
/// </summary>
public sealed class StatusDocument
{
    public const string Ok = "ok";
    public const string Failed = "error";

    public string Status { get; set; } = Ok;

    /// <summary>The last error message.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }

    public DateTime Started { get; set; }

    public long TimeTakenMs { get; set; }

    /// <summary>Completed cycles.</summary>
    public int Cycles { get; set; }

    /// <summary>Traces handed to BqTail: trace URL → {ID, URL, Status}.</summary>
    public Dictionary<string, JobEntry> Jobs { get; set; } = [];

    /// <summary>Windows fired: window URL → window end.</summary>
    public Dictionary<string, DateTime> Batched { get; set; } = [];

    /// <summary>Windows fired during the run.</summary>
    public int BatchCount { get; set; }

    /// <summary>jobs.get calls during the run.</summary>
    public int GetCount { get; set; }

    /// <summary>Time the last cycle spent in jobs.list, as a Go duration ("231.7ms").</summary>
    public string ListTime { get; set; } = "";

    /// <summary>Every distinct error message, in order of first appearance.</summary>
    public List<string> Errors { get; set; } = [];

    /// <summary>Per project (and "&lt;x&gt;/batching" key), as written to performance.json.</summary>
    public Dictionary<string, Performance> Performance { get; set; } = [];

    /// <summary>Per lane, over all projects (not in performance.json, whose format is BqTail's).</summary>
    public Dictionary<string, LaneStatus> Lanes { get; set; } = [];

    /// <summary>Per route rule, over the run (see <see cref="RouteStatus"/>).</summary>
    public Dictionary<string, RouteStatus> Routes { get; set; } = [];

    /// <summary>
    /// Per group (see <see cref="GroupStatus"/>): the waiting groups of the last cycle, soonest deadline first (at most 100;
    /// Totals.GroupsWaiting counts them all), and the groups completed during the run.
    /// </summary>
    public Dictionary<string, GroupStatus> Groups { get; set; } = [];

    /// <summary>
    /// With completion events on: the hand-offs per path that first saw the job DONE (event or poll) with their detection
    /// lag, and what came of the messages received (the dispatcher's completion ledger, over its lifetime).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CompletionReport? Completions { get; set; }

    public RunTotals Totals { get; set; } = new();
}
