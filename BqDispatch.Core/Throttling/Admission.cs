using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>One piece of work asking for a slot: a DONE trace (keyed by its URL) or a due window.</summary>
public sealed record AdmissionCandidate(string Key, JobKind Kind);

/// <summary>
/// One cycle's question to a project's lane: this is what BigQuery shows now, and these earlier admissions BqTail has
/// acted on (<paramref name="Settled"/>: keys of reservations whose trigger object it consumed, or whose next step's
/// trace it wrote); which of these candidates (oldest first) may go?
/// </summary>
public sealed record AdmissionRequest(
    DateTimeOffset Now,
    ObservedJobs Observed,
    ThrottleLimits Limits,
    TimeSpan ReservationTtl,
    IReadOnlyList<AdmissionCandidate> Candidates,
    IReadOnlyList<string>? Settled = null);

/// <summary>The lane's answer: admitted and held candidate keys, and the active counts it decided on.</summary>
public sealed record Admission(
    IReadOnlyList<string> Admitted,
    IReadOnlyList<string> Held,
    int ActiveQuery,
    int ActiveLoad,
    int Reservations);
