namespace BqDispatch.Core.Dispatch;

/// <summary>
/// When a hand-off or window firing looks for its trigger object, soft-deleted ones included, before copying: when the
/// object may already have been made by someone else and consumed by BqTail since, which a create-only copy cannot see.
/// That is work whose copy may have landed unseen (an earlier attempt failed or is being repeated), late work (due before
/// the previous cycle started, which should have done it; or any work on a fresh start, e.g. after a crash between a copy
/// and its delete), and all work while another dispatcher is seen on the same folders (it may be between its copy and
/// its delete). Work done in time by a dispatcher alone costs nothing extra.
/// </summary>
public static class LookFirstRules
{
    /// <summary>After the last sign of another dispatcher (its hand-offs met by this one), work is looked up for this long.</summary>
    public static readonly TimeSpan ContentionMemory = TimeSpan.FromMinutes(10);

    /// <summary>True when work that became due at <paramref name="dueAt"/> is late for a cycle after <paramref name="previousCycleStarted"/>.</summary>
    public static bool IsLate(DateTimeOffset dueAt, DateTimeOffset? previousCycleStarted) =>
        previousCycleStarted is not { } previous || dueAt < previous;

    /// <summary>True while another dispatcher was seen within <see cref="ContentionMemory"/>.</summary>
    public static bool IsContended(DateTimeOffset? lastContention, DateTimeOffset now) =>
        lastContention is { } seen && now - seen < ContentionMemory;

    /// <summary>A trace is due when its job ended (at its creation when BigQuery did not say).</summary>
    public static DateTimeOffset DueAt(TraceWork trace) => trace.JobEnded ?? trace.Created;

    /// <summary>A window falls due the visibility delay after its end.</summary>
    public static DateTimeOffset DueAt(WindowWork window) => window.End + TaskFolderScanner.WindowVisibilityDelay;

    /// <summary>True for outcomes that show another actor on the same work: done already, or gone.</summary>
    public static bool ShowsContention(HandOffStatus status) => status is HandOffStatus.AlreadyHandedOff or HandOffStatus.SourceGone;

    public static bool ShowsContention(WindowStatus status) => status is WindowStatus.AlreadyFired or WindowStatus.WindowGone;
}
