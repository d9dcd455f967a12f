using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>One piece of work asking for a slot: a DONE trace (keyed by its URL) or a due window.</summary>
/// <param name="Lane">The lane it belongs to.</param>
/// <param name="Age">Oldest first within a lane: the trace's creation, the window's end.</param>
/// <param name="WaitingSince">Since when it waits for BqTail (its job's end, the window's due time): the lane's MaxWaitSec counts from here.</param>
public sealed record AdmissionCandidate(
    string Key, JobKind Kind, string Lane = Throttling.Lane.MainName, DateTimeOffset Age = default, DateTimeOffset WaitingSince = default);

/// <summary>
/// One cycle's question to a project's throttle: this is what BigQuery shows now, and these earlier admissions BqTail has
/// acted on (<paramref name="Settled"/>: keys of reservations whose trigger object it consumed, or whose next step's
/// trace it wrote); which of these candidates may go? <paramref name="Lanes"/> are the configured lanes (main included
/// or not); their limits bound each lane's share of the project's <paramref name="Limits"/>. With completion events on
/// (<paramref name="KeepObservation"/>) the throttle keeps what BigQuery showed, for the events' admissions until the next cycle.
/// </summary>
public sealed record AdmissionRequest(
    DateTimeOffset Now,
    ObservedJobs Observed,
    ThrottleLimits Limits,
    TimeSpan ReservationTtl,
    IReadOnlyList<AdmissionCandidate> Candidates,
    IReadOnlyList<string>? Settled = null,
    IReadOnlyList<Lane>? Lanes = null,
    bool KeepObservation = false);

/// <summary>A held candidate and the limit that held it.</summary>
public sealed record Hold(string Key, HeldBy By);

/// <summary>Which limit held work back: <c>MaxConcurrentSQL</c> or <c>MaxConcurrentLoad</c>, of the project or of the work's lane.</summary>
/// <param name="Active">Jobs of the kind active (running, pending or reserved) in that scope when the work was held.</param>
/// <param name="Max">The limit.</param>
public sealed record HeldBy(string Limit, string Scope, int Active, int Max)
{
    public const string ProjectScope = "project";
    public const string LaneScope = "lane";

    /// <summary>An event's work of a limited kind when no recent cycle observed the project's jobs: the next cycle decides.</summary>
    public const string UnobservedScope = "unobserved";

    public static HeldBy Unobserved(JobKind kind) => new(ThrottleLimits.KeyFor(kind), UnobservedScope, 0, 0);
}

/// <summary>The throttle's answer: admitted keys, held work with the limit that held it, and the active counts it decided on.</summary>
public sealed record Admission(
    IReadOnlyList<string> Admitted,
    IReadOnlyList<Hold> Held,
    int ActiveQuery,
    int ActiveLoad,
    int Reservations);
