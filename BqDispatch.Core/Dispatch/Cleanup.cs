namespace BqDispatch.Core.Dispatch;

/// <summary>Input of the cleanup activity.</summary>
public sealed record CleanupBatch(
    DateTimeOffset Now,
    IReadOnlyList<StalledPair> StalledPairs,
    IReadOnlyList<ObjectVersion> OrphanMarkers,
    IReadOnlyList<TraceWork> OrphanTraces);

/// <summary>Counts of what the cleanup removed or evicted, and what failed.</summary>
public sealed record CleanupOutcome(
    int StalledPairsRemoved,
    int OrphanMarkersRemoved,
    IReadOnlyList<string> Evicted,
    IReadOnlyList<string> Errors);
