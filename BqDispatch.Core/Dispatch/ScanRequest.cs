namespace BqDispatch.Core.Dispatch;

/// <summary>Input of the scan activity. <paramref name="Now"/> is the run's clock, so every age and due-time decision is replayable.</summary>
/// <param name="ChunkSize">At most this many items of each work list come back; the totals say how many there were.</param>
public sealed record ScanRequest(DateTimeOffset Now, int ChunkSize);
