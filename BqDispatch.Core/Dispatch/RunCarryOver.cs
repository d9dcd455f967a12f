namespace BqDispatch.Core.Dispatch;

/// <summary>
/// What a run passes to the next one of a chain (self-hosted back-to-back runs, or ContinueAsNew in an orchestration),
/// so the chain behaves as one long run: small, bounded, serializable.
/// </summary>
/// <param name="Finished">Traces handed off in the last minute (URL#generation), never handed off again, newest first.</param>
/// <param name="Awaited">Admissions whose reservations still wait for evidence that BqTail acted on them.</param>
/// <param name="Uncertain">Traces and windows (URL#generation) whose hand-off or firing failed: whether their copy landed is unknown.</param>
public sealed record RunCarryOver(IReadOnlyList<string> Finished, IReadOnlyList<AwaitedFollowUp> Awaited, IReadOnlyList<string> Uncertain)
{
    /// <summary>Most entries of each list carried (about 300 KB at worst, like the status document's Jobs map).</summary>
    public const int MaxEntries = 1_000;

    /// <summary>A chain's first run.</summary>
    public static readonly RunCarryOver None = new([], [], []);
}

/// <summary>A run's status document and what it passes to the next run of its chain.</summary>
public sealed record RunResult(Status.StatusDocument Status, RunCarryOver CarryOver);
