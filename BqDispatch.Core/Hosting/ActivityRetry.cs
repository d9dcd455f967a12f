namespace BqDispatch.Core.Hosting;

/// <summary>
/// How an orchestrator retries an activity that threw. The activities report expected failures in their results
/// and are idempotent (create-only copies, generation-checked deletes), so a retry is safe; what throws is
/// unexpected (a host fault, a bug), and a few quick retries inside the minute's budget are enough.
/// </summary>
public sealed record ActivityRetry(int MaxAttempts, TimeSpan FirstInterval, double BackoffCoefficient, TimeSpan MaxInterval)
{
    /// <summary>3 attempts, 2 s then 4 s apart: at most about 6 s of waiting in a 55 s run.</summary>
    public static readonly ActivityRetry Default = new(3, TimeSpan.FromSeconds(2), 2.0, TimeSpan.FromSeconds(10));

    /// <summary>The wait before attempt <paramref name="attempt"/> (2 or later).</summary>
    public TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxInterval.Ticks, (long)(FirstInterval.Ticks * Math.Pow(BackoffCoefficient, Math.Max(0, attempt - 2)))));
}
