namespace BqDispatch.Core.Dispatch;

/// <summary>Input of one hand-off activity: DONE traces admitted by their projects' throttles.</summary>
public sealed record HandOffBatch(IReadOnlyList<TraceWork> Traces)
{
    /// <summary>
    /// The same work for a repeat whose earlier attempt ended unseen (a lost result, a crashed worker): each copy is
    /// preceded by a look at its trigger object, which BqTail may have consumed meanwhile.
    /// </summary>
    public HandOffBatch AsRepeat() => new(Traces.Select(t => t with { LookFirst = true }).ToList());
}

/// <summary>What happened to each trace of a batch.</summary>
public sealed record HandOffOutcome(IReadOnlyList<HandOffResult> Results);

/// <summary>The fate of one trace. <paramref name="Error"/> is set for <see cref="HandOffStatus.Failed"/> and for warnings.</summary>
public sealed record HandOffResult(string Url, HandOffStatus Status, string Destination, string? Error = null);

public enum HandOffStatus
{
    /// <summary>This call created the trigger object and removed the trace.</summary>
    HandedOff,

    /// <summary>
    /// The trigger object exists or existed (consumed by BqTail since): an earlier or concurrent dispatcher, or an earlier
    /// attempt of this activity, made it. The trace was removed (or was gone already); it counts as dispatched once.
    /// </summary>
    AlreadyHandedOff,

    /// <summary>The trace was gone or rewritten before the copy, and its trigger object never existed; nothing was done (benign).</summary>
    SourceGone,

    /// <summary>Another dispatcher claimed the trace and is handing it off; it was left to it (not counted here).</summary>
    ClaimedElsewhere,

    /// <summary>The hand-off failed and will be retried next cycle.</summary>
    Failed,
}
