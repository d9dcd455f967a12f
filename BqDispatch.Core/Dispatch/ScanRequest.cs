namespace BqDispatch.Core.Dispatch;

/// <summary>Input of the scan activity. <paramref name="Now"/> is the run's clock, so every age and due-time decision is replayable.</summary>
/// <param name="ChunkSize">At most this many items of each work list come back; the totals say how many there were.</param>
/// <param name="Awaited">Earlier admissions whose reservations wait for evidence that BqTail acted on them.</param>
public sealed record ScanRequest(DateTimeOffset Now, int ChunkSize, IReadOnlyList<AwaitedFollowUp>? Awaited = null);
