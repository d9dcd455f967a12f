namespace BqDispatch.Core.Google;

/// <summary>
/// How <see cref="RetryHandler"/> retries a Google API call: exponential backoff with full jitter
/// (attempt n waits a random time in [0, min(<see cref="MaxDelay"/>, <see cref="InitialDelay"/> × <see cref="Multiplier"/>^(n-1))]),
/// at most <see cref="MaxAttempts"/> attempts, and no retry that would start after <see cref="Deadline"/>
/// (counted from the first attempt).
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>200 ms initial delay, multiplier 2, delays up to 10 s, 30 s overall, 6 attempts of at most 20 s each, bodies up to 64 MiB.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>Upper bound of the first backoff delay.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Growth of the backoff bound per attempt.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>Largest backoff bound (a server's Retry-After may ask for more; the deadline still applies).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No retry starts later than this after the first attempt started.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most attempts of one request, the first included (1 = never retry).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>
    /// How long one attempt may take, from sending the request to the last byte of the response body; a hung or
    /// trickling attempt then counts as a transient failure instead of using up the whole call.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it. Default 20 s.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Largest response body accepted; a larger one fails the call at once, without a retry. The dispatcher reads
    /// job listings, small trace files and its configuration, so this only stops a broken or hostile server from
    /// filling memory. Default 64 MiB.
    /// </summary>
    public long MaxResponseBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Multiplier, 1, nameof(Multiplier));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Deadline, TimeSpan.Zero, nameof(Deadline));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResponseBytes, 1, nameof(MaxResponseBytes));
        if (AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(AttemptTimeout));
        }
    }

    /// <summary>The upper bound of the delay before attempt <paramref name="nextAttempt"/> (2, 3, …).</summary>
    public TimeSpan BackoffBound(int nextAttempt)
    {
        var exponent = Math.Max(0, nextAttempt - 2);
        var bound = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(bound, MaxDelay.TotalMilliseconds));
    }
}
