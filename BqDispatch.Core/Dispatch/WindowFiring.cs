namespace BqDispatch.Core.Dispatch;

/// <summary>Input of one window activity: due windows admitted by their projects' throttles.</summary>
public sealed record WindowBatch(IReadOnlyList<WindowWork> Windows)
{
    /// <summary>The same work for a repeat whose earlier attempt ended unseen (see <see cref="HandOffBatch.AsRepeat"/>).</summary>
    public WindowBatch AsRepeat() => new(Windows.Select(w => w with { LookFirst = true }).ToList());
}

public sealed record WindowOutcome(IReadOnlyList<WindowResult> Results);

/// <param name="Destination">The _batch_ copy's URL.</param>
public sealed record WindowResult(string Url, WindowStatus Status, string? Error = null, string Destination = "");

public enum WindowStatus
{
    /// <summary>This call created the _batch_ copy and the marker.</summary>
    Fired,

    /// <summary>The _batch_ copy existed already (an earlier or concurrent dispatcher); the marker now exists.</summary>
    AlreadyFired,

    /// <summary>The window was deleted or rewritten before the copy (benign).</summary>
    WindowGone,

    /// <summary>Another dispatcher claimed the window and is firing it; it was left to it (not counted here).</summary>
    ClaimedElsewhere,

    /// <summary>The copy or the marker failed; the window stays due and is retried next cycle.</summary>
    Failed,
}
