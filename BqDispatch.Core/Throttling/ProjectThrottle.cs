using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>
/// The throttle of one BigQuery project. active(kind) = RUNNING + PENDING jobs BigQuery showed this cycle
/// + reservations, for the project and for each of its lanes. A limit N admits while active &lt; N; candidates go in
/// <see cref="AdmissionOrder"/> (aged work, then lower priority number, then oldest), and each must fit both the
/// project's limit and its lane's. Every admission of a limited kind reserves a slot in the project and the lane until
/// there is evidence that BigQuery counts what it caused, or that nothing will come of it: BqTail consumed its trigger
/// object or wrote the next step's trace (<see cref="AdmissionRequest.Settled"/>), or a new job of the same lane appeared
/// in the project. Without evidence a reservation lasts the request's TTL, about as long as BqTail needs to act. So work
/// is held only while a limit is reached by jobs that run or are about to.
/// The state is plain get/set properties, so it fits a durable entity as it is; Admit is a function of the state and the
/// request (time included).
/// </summary>
public sealed class ProjectThrottle
{
    /// <summary>BigQuery's creation time and ours may disagree a little; a job this much older still matches.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    public List<Reservation> Reservations { get; set; } = [];

    /// <summary>Creation time of the newest job that released a reservation: a job releases at most one, across cycles too.</summary>
    public DateTimeOffset? LastMatchedJob { get; set; }

    /// <summary>
    /// With completion events on: the active jobs the newest cycle saw in the project (counts only), which an event's
    /// admission between cycles decides on, together with the reservations made since.
    /// </summary>
    public ObservedJobs? LastObserved { get; set; }

    /// <summary>When <see cref="LastObserved"/> was taken.</summary>
    public DateTimeOffset? ObservedAt { get; set; }

    /// <summary>
    /// True when <paramref name="request"/> cannot change this throttle or hold anything back, whatever its state: no
    /// candidate asks for a limited slot and nothing would release a reservation (no settled keys, and no recent job
    /// unless no limit exists at all, in which case no reservation can). Its admission is then <see cref="AdmitAll"/>,
    /// and a caller may skip the call (a round trip to a durable entity).
    /// </summary>
    public static bool CannotHold(AdmissionRequest request)
    {
        var lanes = new LaneBook(request.Lanes);
        return request.Settled is not { Count: > 0 }
            && !request.Candidates.Any(c => lanes.Limited(request.Limits, c.Kind, c.Lane))
            && (!request.Observed.AnyRecent || lanes.Unlimited(request.Limits));
    }

    /// <summary>The answer to a request that <see cref="CannotHold"/>: everything admitted (in admission order), nothing reserved.</summary>
    public static Admission AdmitAll(AdmissionRequest request) => new(
        [.. AdmissionOrder.Sort(request.Candidates, new LaneBook(request.Lanes), request.Now).Select(c => c.Key)],
        [],
        request.Observed.ActiveQuery,
        request.Observed.ActiveLoad,
        0);

    public Admission Admit(AdmissionRequest request)
    {
        Reservations.RemoveAll(r => r.ExpiresAt <= request.Now);
        if (request.Settled is { Count: > 0 } settled)
        {
            var keys = settled.ToHashSet(StringComparer.Ordinal);
            Reservations.RemoveAll(r => keys.Contains(r.Key));
        }

        ReleaseMatched(request.Observed);
        if (request.KeepObservation)
        {
            LastObserved = new ObservedJobs([.. request.Observed.Lanes.Select(l => l with { RecentCreated = [] })]);
            ObservedAt = request.Now;
        }

        return Decide(request);
    }

    /// <summary>
    /// An event's admission of one piece of work between cycles: decided like a cycle's, on the jobs the newest cycle
    /// saw plus the reservations made since (which cover what the admissions since then caused). Without an observation
    /// younger than <see cref="EventAdmission.MaxObservationAge"/> a limited kind is held: the next cycle decides.
    /// </summary>
    public Admission AdmitEvent(EventAdmission admission)
    {
        var request = admission.Request(LastObserved ?? ObservedJobs.None);
        if (CannotHold(request))
        {
            return AdmitAll(request);
        }

        Reservations.RemoveAll(r => r.ExpiresAt <= request.Now);
        if (ObservedAt is not { } at || request.Now - at > EventAdmission.MaxObservationAge)
        {
            var kind = admission.Candidate.Kind;
            return new Admission([], [new Hold(admission.Candidate.Key, HeldBy.Unobserved(kind))], 0, 0, Reservations.Count);
        }

        return Decide(request);
    }

    private Admission Decide(AdmissionRequest request)
    {
        var lanes = new LaneBook(request.Lanes);
        var active = new ActiveCounts(request.Observed, Reservations);
        var admitted = new List<string>();
        var held = new List<Hold>();
        foreach (var candidate in AdmissionOrder.Sort(request.Candidates, lanes, request.Now))
        {
            var kind = candidate.Kind;
            var lane = lanes[candidate.Lane];
            var projectLimit = request.Limits.For(kind);
            var laneLimit = lane.Limits.For(kind);
            if (projectLimit == 0 && laneLimit == 0)
            {
                admitted.Add(candidate.Key);
            }
            else if (projectLimit > 0 && active.Project(kind) >= projectLimit)
            {
                held.Add(new Hold(candidate.Key, new HeldBy(ThrottleLimits.KeyFor(kind), HeldBy.ProjectScope, active.Project(kind), projectLimit)));
            }
            else if (laneLimit > 0 && active.Lane(lane.Name, kind) >= laneLimit)
            {
                held.Add(new Hold(candidate.Key, new HeldBy(ThrottleLimits.KeyFor(kind), HeldBy.LaneScope, active.Lane(lane.Name, kind), laneLimit)));
            }
            else
            {
                admitted.Add(candidate.Key);
                var reservation = new Reservation(kind, request.Now, request.Now + request.ReservationTtl, candidate.Key, lane.Name);
                Reservations.Add(reservation);
                active.Add(reservation);
            }
        }

        return new Admission(admitted, held, active.Project(JobKind.Query), active.Project(JobKind.Load), Reservations.Count);
    }

    // A job created after a reservation was made may be the job it waited for, whatever its kind (a load's follow-up is
    // often a copy or a query; bqtail names it after the same table, so it falls in the same lane): from now on BigQuery
    // counts it, so the reservation would count it twice. Jobs in creation order, each releasing the oldest reservation of
    // its lane made before it; each job is used once, also across cycles (the watermark).
    private void ReleaseMatched(ObservedJobs observed)
    {
        var watermark = LastMatchedJob ?? DateTimeOffset.MinValue;
        var jobs = observed.Lanes
            .SelectMany(l => l.RecentCreated.Where(created => created > watermark).Select(created => (Created: created, l.Lane)))
            .OrderBy(j => j.Created)
            .ThenBy(j => j.Lane, StringComparer.Ordinal);
        foreach (var (created, lane) in jobs)
        {
            var match = Reservations
                .Where(r => r.Lane == lane && r.ReservedAt - ClockSkew <= created)
                .OrderBy(r => r.ReservedAt)
                .FirstOrDefault();
            if (match is not null)
            {
                Reservations.Remove(match);
                LastMatchedJob = created;
            }
        }
    }

    /// <summary>Active jobs of the limited kinds, per project and per lane: observed plus reserved.</summary>
    private sealed class ActiveCounts
    {
        private readonly Dictionary<(string Lane, JobKind Kind), int> byLane = [];
        private int query;
        private int load;

        public ActiveCounts(ObservedJobs observed, IEnumerable<Reservation> reservations)
        {
            foreach (var lane in observed.Lanes)
            {
                Add(lane.Lane, JobKind.Query, lane.Query);
                Add(lane.Lane, JobKind.Load, lane.Load);
            }

            foreach (var reservation in reservations)
            {
                this.Add(reservation);
            }
        }

        public int Project(JobKind kind) => kind == JobKind.Query ? query : load;

        public int Lane(string lane, JobKind kind) => byLane.GetValueOrDefault((lane, kind));

        public void Add(Reservation reservation) => Add(reservation.Lane, reservation.Kind, 1);

        private void Add(string lane, JobKind kind, int count)
        {
            if (kind is not (JobKind.Query or JobKind.Load))
            {
                return;
            }

            byLane[(lane, kind)] = Lane(lane, kind) + count;
            if (kind == JobKind.Query)
            {
                query += count;
            }
            else
            {
                load += count;
            }
        }
    }
}
