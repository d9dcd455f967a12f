namespace BqDispatch.Core.Routes;

/// <summary>
/// What the route sweep remembers of one project between cycles, so that it lists only what is new: the newest creation
/// time BigQuery showed it (the next listing starts there, less an overlap), the jobs it saw running or pending (it learns
/// that they finished when the active listing no longer shows them), the jobs it decided within the overlap, and the jobs
/// to look at again. Lost with the process: a new one lists the whole look-back once, and the journal keeps it from
/// routing a job twice.
/// </summary>
internal sealed class SweepMemory(int rulesVersion)
{
    /// <summary>The rules this memory was built under: new rules start over from the look-back, so they catch up too.</summary>
    public int RulesVersion { get; } = rulesVersion;

    public DateTimeOffset? Watermark { get; set; }

    /// <summary>Running or pending jobs (not BqTail's) created within the look-back: id → (location, creation).</summary>
    public Dictionary<string, (string Location, DateTimeOffset Created)> Known { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Jobs decided (routed or not) created since the last listing's start: the overlap lists them again.</summary>
    public Dictionary<string, DateTimeOffset> Decided { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Jobs whose routing failed or was in flight elsewhere: tried again next sweep.</summary>
    public List<FinishedJob> Waiting { get; set; } = [];
}
