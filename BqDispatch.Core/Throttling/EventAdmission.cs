namespace BqDispatch.Core.Throttling;

/// <summary>
/// An event's question to a project's throttle between cycles: may this one piece of work go now? There is no listing
/// of the project's jobs at that moment; the throttle answers from the newest cycle's (see <see cref="ProjectThrottle.AdmitEvent"/>).
/// </summary>
public sealed record EventAdmission(
    DateTimeOffset Now, AdmissionCandidate Candidate, ThrottleLimits Limits, TimeSpan ReservationTtl, IReadOnlyList<Lane>? Lanes = null)
{
    /// <summary>
    /// An observation older than this is not decided on. Jobs that ended since only make it stricter, and jobs BqTail
    /// started since are covered by reservations; but another tool's jobs are not, so their share is bounded in time.
    /// </summary>
    public static readonly TimeSpan MaxObservationAge = TimeSpan.FromMinutes(2);

    public AdmissionRequest Request(ObservedJobs observed) => new(Now, observed, Limits, ReservationTtl, [Candidate], null, Lanes);
}
