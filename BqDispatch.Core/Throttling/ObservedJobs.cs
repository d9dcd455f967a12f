using System.Text.Json.Serialization;

namespace BqDispatch.Core.Throttling;

/// <summary>
/// The jobs one cycle's jobs.list saw RUNNING or PENDING in a project, by lane: their counts by kind and the creation
/// times of the recent ones of any kind, since a new job is evidence that BigQuery now counts what a reservation of its
/// lane was holding a slot for.
/// </summary>
public sealed record ObservedJobs(IReadOnlyList<LaneJobs> Lanes)
{
    /// <summary>Most recent creation times kept over all lanes, newest first: enough to match every reservation a project can hold.</summary>
    public const int MaxRecent = 1_000;

    public static readonly ObservedJobs None = new([]);

    [JsonIgnore]
    public int ActiveQuery => Lanes.Sum(l => l.Query);

    [JsonIgnore]
    public int ActiveLoad => Lanes.Sum(l => l.Load);

    /// <summary>True when some job was created recently (it may release a reservation).</summary>
    [JsonIgnore]
    public bool AnyRecent => Lanes.Any(l => l.RecentCreated.Count > 0);
}

/// <summary>A lane's active jobs in one project, by bqtail's buckets, and the creation times of its recent ones.</summary>
public sealed record LaneJobs(string Lane, int Query, int Load, int Copy, int Other, IReadOnlyList<DateTimeOffset> RecentCreated);
