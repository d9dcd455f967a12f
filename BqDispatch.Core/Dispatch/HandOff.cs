namespace BqDispatch.Core.Dispatch;

/// <summary>Input of one hand-off activity: DONE traces admitted by their lanes.</summary>
public sealed record HandOffBatch(IReadOnlyList<TraceWork> Traces);

/// <summary>What happened to each trace of a batch.</summary>
public sealed record HandOffOutcome(IReadOnlyList<HandOffResult> Results);

/// <summary>The fate of one trace. <paramref name="Error"/> is set for <see cref="HandOffStatus.Failed"/> and for warnings.</summary>
public sealed record HandOffResult(string Url, HandOffStatus Status, string Destination, string? Error = null);

public enum HandOffStatus
{
    /// <summary>This call created the trigger object and removed the trace.</summary>
    HandedOff,

    /// <summary>The trigger object already existed (an earlier or concurrent dispatcher made it); the trace was removed.</summary>
    AlreadyHandedOff,

    /// <summary>The trace was gone or rewritten before the copy; nothing was done (benign).</summary>
    SourceGone,

    /// <summary>The hand-off failed and will be retried next cycle.</summary>
    Failed,
}
