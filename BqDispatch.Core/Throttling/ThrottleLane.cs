using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>
/// The throttle of one BigQuery project. active(kind) = RUNNING + PENDING jobs BigQuery showed this cycle
/// + reservations. A limit N admits while active &lt; N, oldest candidate first, and every admission of a limited
/// kind reserves a slot until there is evidence that BigQuery counts what it caused, or that nothing will come of it:
/// BqTail consumed its trigger object or wrote the next step's trace (<see cref="AdmissionRequest.Settled"/>), or a new
/// job of any kind appeared in the project. Without evidence a reservation lasts the request's TTL, about as long as
/// BqTail needs to act. So work is held only while a limit is reached by jobs that run or are about to.
/// The state is plain get/set properties, so it fits a durable entity as it is; Admit is a function of the state
/// and the request (time included).
/// </summary>
public sealed class ThrottleLane
{
    /// <summary>BigQuery's creation time and ours may disagree a little; a job this much older still matches.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    public List<Reservation> Reservations { get; set; } = [];

    /// <summary>Creation time of the newest job that released a reservation: a job releases at most one, across cycles too.</summary>
    public DateTimeOffset? LastMatchedJob { get; set; }

    public Admission Admit(AdmissionRequest request)
    {
        Reservations.RemoveAll(r => r.ExpiresAt <= request.Now);
        if (request.Settled is { Count: > 0 } settled)
        {
            var keys = settled.ToHashSet(StringComparer.Ordinal);
            Reservations.RemoveAll(r => keys.Contains(r.Key));
        }

        ReleaseMatched(request.Observed.RecentCreated);

        var active = new Dictionary<JobKind, int>
        {
            [JobKind.Query] = request.Observed.ActiveQuery + Reservations.Count(r => r.Kind == JobKind.Query),
            [JobKind.Load] = request.Observed.ActiveLoad + Reservations.Count(r => r.Kind == JobKind.Load),
        };
        var admitted = new List<string>();
        var held = new List<string>();
        foreach (var candidate in request.Candidates)
        {
            var limit = request.Limits.For(candidate.Kind);
            if (limit == 0)
            {
                admitted.Add(candidate.Key);
            }
            else if (active[candidate.Kind] < limit)
            {
                admitted.Add(candidate.Key);
                active[candidate.Kind]++;
                Reservations.Add(new Reservation(candidate.Kind, request.Now, request.Now + request.ReservationTtl, candidate.Key));
            }
            else
            {
                held.Add(candidate.Key);
            }
        }

        return new Admission(admitted, held, active[JobKind.Query], active[JobKind.Load], Reservations.Count);
    }

    // A job created after a reservation was made may be the job it waited for, whatever its kind (a load's follow-up is
    // often a copy or a query): from now on BigQuery counts it, so the reservation would count it twice. Oldest
    // reservation first, each job used once, also across cycles (the watermark).
    private void ReleaseMatched(IReadOnlyList<DateTimeOffset> recentCreated)
    {
        var watermark = LastMatchedJob ?? DateTimeOffset.MinValue;
        var unused = recentCreated.Where(created => created > watermark).Order().ToList();
        foreach (var reservation in Reservations.OrderBy(r => r.ReservedAt).ToList())
        {
            var match = unused.FindIndex(created => created >= reservation.ReservedAt - ClockSkew);
            if (match < 0)
            {
                break;
            }

            LastMatchedJob = unused[match];
            unused.RemoveRange(0, match + 1);
            Reservations.Remove(reservation);
        }
    }
}
