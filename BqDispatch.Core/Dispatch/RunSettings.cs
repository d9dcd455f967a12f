using BqDispatch.Core.Configuration;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>The part of the configuration the flow itself needs; the orchestration's input.</summary>
/// <param name="Budget">The run's one time budget: no cycle starts after it, every cycle awaits all its work.</param>
/// <param name="ChunkSize">At most this many hand-offs (and windows, and evictions) per cycle.</param>
/// <param name="BatchSize">Work items per activity call, which keeps every payload small.</param>
/// <param name="MaxCycles">Stop after this many cycles (null: until the budget is spent).</param>
/// <param name="Lanes">The configured lanes (main takes the rest).</param>
/// <param name="Events">Completion events are on (pulled or pushed): the cycles reconcile with them in the completion
/// ledger, keep each project's observation for the events' admissions, and pace themselves when idle.</param>
/// <param name="EventSweepPause">With events on, the pause after a cycle that found nothing to do.</param>
/// <param name="Routes">Whether route rules are configured (inline or a rules folder): each cycle then sweeps for routes.</param>
public sealed record RunSettings(
    TimeSpan Budget,
    TimeSpan Pause,
    int ChunkSize,
    int BatchSize,
    ThrottleLimits Limits,
    TimeSpan ReservationTtl,
    int? MaxCycles = null,
    IReadOnlyList<Lane>? Lanes = null,
    bool Events = false,
    TimeSpan EventSweepPause = default,
    bool Routes = false)
{
    public const int DefaultBatchSize = 100;

    public static RunSettings From(DispatchConfig config, int? maxCycles = null) => new(
        config.RunBudget,
        TimeSpan.FromMilliseconds(config.CyclePauseMs),
        config.MaxHandOffsPerCycle,
        DefaultBatchSize,
        new ThrottleLimits(config.MaxConcurrentSQL, config.MaxConcurrentLoad),
        TimeSpan.FromSeconds(config.ReservationTtlSec),
        maxCycles,
        config.Lanes,
        config.EventsOn,
        TimeSpan.FromMilliseconds(config.EventSweepPauseMs),
        config.Rules is not null || !string.IsNullOrEmpty(config.RulesURL));
}
