namespace BqDispatch.Core.Dispatch;

/// <summary>
/// Work that may already have been handed off by a dispatcher that died between its copy and its delete, with BqTail
/// consuming the copy since: work that became due before the previous cycle started (that cycle should have done it),
/// any work when no earlier cycle is known (a fresh start, e.g. after a crash), and work whose earlier hand-off failed
/// (see <see cref="RunMemory"/>). Its trigger object is looked up, soft-deleted ones included, before it is copied.
/// Work done in time costs nothing extra.
/// </summary>
public static class LateWork
{
    /// <summary>True when work that became due at <paramref name="dueAt"/> is late for a cycle after <paramref name="previousCycleStarted"/>.</summary>
    public static bool IsLate(DateTimeOffset dueAt, DateTimeOffset? previousCycleStarted) =>
        previousCycleStarted is not { } previous || dueAt < previous;

    /// <summary>A window falls due the visibility delay after its end.</summary>
    public static DateTimeOffset DueAt(WindowWork window) => window.End + TaskFolderScanner.WindowVisibilityDelay;
}
