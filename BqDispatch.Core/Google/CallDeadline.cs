namespace BqDispatch.Core.Google;

/// <summary>
/// The latest moment a Google call of the current flow (one dispatch run) may still be in flight. The
/// <see cref="RetryHandler"/> starts no attempt after it and cuts an attempt in flight at it, so a run made of many
/// calls cannot outlive its budget however slowly the services answer. It flows with the async context, like a
/// logging scope: set it around a run, and every call the run makes, in any activity, sees it.
/// </summary>
public static class CallDeadline
{
    private static readonly AsyncLocal<DateTimeOffset?> Current = new();

    /// <summary>Sets the deadline for the calls made in this async context until the result is disposed.</summary>
    public static IDisposable Until(DateTimeOffset deadline)
    {
        var previous = Current.Value;
        Current.Value = deadline;
        return new Scope(previous);
    }

    /// <summary>How long calls may still run at <paramref name="now"/>; null without a deadline (calls are then bounded only by their retry policy).</summary>
    public static TimeSpan? Left(DateTimeOffset now) => Current.Value is { } deadline ? deadline - now : null;

    private sealed class Scope(DateTimeOffset? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
