using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>
/// The throttle of one BigQuery project. active(kind) = RUNNING + PENDING jobs BigQuery showed this cycle
/// + reservations not yet matched by a new job and not expired. A limit N admits while active &lt; N, oldest
/// candidate first, and every admission of a limited kind reserves a slot.
/// The state is only the reservation list, so it fits a durable entity as it is.
/// </summary>
public sealed class ThrottleLane
{
    /// <summary>BigQuery's creation time and ours may disagree a little; a job this much older still matches.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    public List<Reservation> Reservations { get; set; } = [];

    /// <summary>Creation time of the newest job that released a reservation, per kind: a job releases at most one.</summary>
    public Dictionary<JobKind, DateTimeOffset> Matched { get; set; } = [];

    public Admission Admit(AdmissionRequest request)
    {
        Reservations.RemoveAll(r => r.ExpiresAt <= request.Now);
        ReleaseMatched(JobKind.Query, request.Observed.RecentQueryCreated);
        ReleaseMatched(JobKind.Load, request.Observed.RecentLoadCreated);

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
                Reservations.Add(new Reservation(candidate.Kind, request.Now, request.Now + request.ReservationTtl));
            }
            else
            {
                held.Add(candidate.Key);
            }
        }

        return new Admission(admitted, held, active[JobKind.Query], active[JobKind.Load], Reservations.Count);
    }

    // A job created after a reservation was made is taken as the job that reservation waited for:
    // from now on BigQuery counts it, so the reservation would count it twice. Oldest reservation first,
    // each job used once, also across cycles (the watermark).
    private void ReleaseMatched(JobKind kind, IReadOnlyList<DateTimeOffset> recentCreated)
    {
        var watermark = Matched.GetValueOrDefault(kind, DateTimeOffset.MinValue);
        var unused = recentCreated.Where(created => created > watermark).Order().ToList();
        foreach (var reservation in Reservations.Where(r => r.Kind == kind).OrderBy(r => r.ReservedAt).ToList())
        {
            var match = unused.FindIndex(created => created >= reservation.ReservedAt - ClockSkew);
            if (match < 0)
            {
                break;
            }

            Matched[kind] = unused[match];
            unused.RemoveAt(match);
            Reservations.Remove(reservation);
        }
    }
}
