using System.Globalization;

namespace BqDispatch.Core.Configuration;

/// <summary>The whole numbers a numeric configuration key accepts, bounds included.</summary>
public sealed record ConfigRange(long Min, long Max)
{
    /// <summary>
    /// Every numeric key and its range. The bounds are generous for any real use and keep what is derived from a
    /// value representable (a look-back or TTL turned into a time, a run's budget) and the work of a cycle bounded
    /// (chunk sizes and parallelism, which also size the Durable payloads).
    /// </summary>
    public static IReadOnlyDictionary<string, ConfigRange> ByKey { get; } = new Dictionary<string, ConfigRange>(StringComparer.Ordinal)
    {
        // bqtail's keys
        ["MaxRetries"] = new(0, 100),
        ["MaxTriggerDelayMs"] = new(0, 86_400_000),
        ["TimeToLiveInMin"] = new(0, 1_440),
        ["MaxConcurrentSQL"] = new(0, 100_000),
        [ConfigKeys.MaxConcurrentLoad] = new(0, 100_000),
        [ConfigKeys.MaxConcurrentJobs] = new(0, 100_000),
        ["CheckInMs"] = new(0, 86_400_000),

        // this port's keys
        ["ThinkTimeMs"] = new(0, 3_600_000),
        ["CyclePauseMs"] = new(0, 600_000),
        ["MaxHandOffsPerCycle"] = new(1, 10_000),
        ["OrphanTraceTtlHours"] = new(1, 8_760),
        ["OrphanMarkerTtlHours"] = new(1, 8_760),
        ["ReservationTtlSec"] = new(1, 600),
        ["JobListLookbackHours"] = new(1, 4_320),
        ["MaxJobGetsPerCycle"] = new(0, 100_000),
        ["JobGetParallelism"] = new(1, 100),
        ["HandOffParallelism"] = new(1, 256),
        ["EventSweepPauseMs"] = new(1_000, 600_000),
        ["RouteLookbackMin"] = new(1, 10_080),
    };

    /// <summary>The numeric keys of each lane (in <c>Lanes</c>) and their ranges; priorities are dispenserd's.</summary>
    public static IReadOnlyDictionary<string, ConfigRange> ByLaneKey { get; } = new Dictionary<string, ConfigRange>(StringComparer.Ordinal)
    {
        ["Priority"] = new(0, Throttling.Lane.MaxPriority),
        ["MaxConcurrentSQL"] = new(0, 100_000),
        [ConfigKeys.MaxConcurrentLoad] = new(0, 100_000),
        ["MaxWaitSec"] = new(1, 604_800),
    };

    public bool Contains(long value) => value >= Min && value <= Max;

    /// <summary>As the README's configuration table shows it, e.g. "1–8,760".</summary>
    public override string ToString() =>
        $"{Min.ToString("N0", CultureInfo.InvariantCulture)}–{Max.ToString("N0", CultureInfo.InvariantCulture)}";
}
