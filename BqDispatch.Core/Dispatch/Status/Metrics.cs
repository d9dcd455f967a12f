using System.Text.Json.Serialization;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>bqtail's Metrics: job counts by bucket; zero counts are omitted from JSON, as in Go.</summary>
public sealed class Metrics
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int CopyJobs { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int QueryJobs { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int LoadJobs { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int OtherJobs { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int BatchJobs { get; set; }

    public static Metrics From(KindCounts counts) => new()
    {
        QueryJobs = counts.Query,
        LoadJobs = counts.Load,
        CopyJobs = counts.Copy,
        OtherJobs = counts.Other,
    };
}
