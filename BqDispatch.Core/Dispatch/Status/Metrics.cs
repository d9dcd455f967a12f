using Newtonsoft.Json;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>bqtail's Metrics: job counts by bucket; zero counts are omitted from JSON, as in Go.</summary>
public sealed class Metrics
{
    [JsonProperty(DefaultValueHandling = DefaultValueHandling.Ignore)]
    public int CopyJobs { get; set; }

    [JsonProperty(DefaultValueHandling = DefaultValueHandling.Ignore)]
    public int QueryJobs { get; set; }

    [JsonProperty(DefaultValueHandling = DefaultValueHandling.Ignore)]
    public int LoadJobs { get; set; }

    [JsonProperty(DefaultValueHandling = DefaultValueHandling.Ignore)]
    public int OtherJobs { get; set; }

    [JsonProperty(DefaultValueHandling = DefaultValueHandling.Ignore)]
    public int BatchJobs { get; set; }

    public static Metrics From(KindCounts counts) => new()
    {
        QueryJobs = counts.Query,
        LoadJobs = counts.Load,
        CopyJobs = counts.Copy,
        OtherJobs = counts.Other,
    };
}
