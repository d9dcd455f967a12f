using System.Text.Json.Serialization;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// bqtail's per-project Performance, as BqTail's balancer reads it from performance.json.
/// Snapshot of the last cycle: Count, Running, Pending, Throttled, NoFound. Whole run: Dispatched.
/// </summary>
public sealed class Performance
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProjectID { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? Region { get; set; }

    /// <summary>Traces whose job is not DONE yet.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Count { get; set; }

    /// <summary>Jobs BigQuery shows RUNNING in the project (windows fired, for a batching key).</summary>
    public Metrics Running { get; set; } = new();

    /// <summary>Jobs BigQuery shows PENDING in the project.</summary>
    public Metrics Pending { get; set; } = new();

    /// <summary>DONE jobs handed to BqTail during the run, by the kind of the finished job.</summary>
    public Metrics Dispatched { get; set; } = new();

    /// <summary>DONE jobs (and due windows) the throttle held back in the last cycle.</summary>
    public Metrics Throttled { get; set; } = new();

    /// <summary>Traces whose job BigQuery does not know.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NoFound { get; set; }
}
