using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace BqDispatch.Tests.Throttling;

/// <summary>
/// Admission inside a project over random lanes, limits, active jobs, reservations and candidates: no limit is ever
/// exceeded, priority decides across lanes, age within a lane, work past its lane's MaxWaitSec goes first, and a
/// project that is not asked (nothing it could hold or release) decides the same as one that is.
/// </summary>
public sealed class AdmissionProperties
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly JobKind[] Limited = [JobKind.Query, JobKind.Load];

    /// <summary>One admission: lanes, the project's limits, what BigQuery shows, the throttle's reservations, the candidates.</summary>
    public sealed record Scenario(
        IReadOnlyList<Lane> Lanes,
        ThrottleLimits Limits,
        ObservedJobs Observed,
        IReadOnlyList<Reservation> Reservations,
        IReadOnlyList<AdmissionCandidate> Candidates)
    {
        public LaneBook Book => new(Lanes);

        public AdmissionRequest Request => new(Now, Observed, Limits, TimeSpan.FromMinutes(2), Candidates, [], Lanes);

        public Admission Admit() => new ProjectThrottle { Reservations = [.. Reservations] }.Admit(Request);

        public bool Aged(AdmissionCandidate c) => Book[c.Lane].IsAged(c.WaitingSince, Now);

        public long Priority(AdmissionCandidate c) => Book[c.Lane].Priority;

        /// <summary>Active jobs of a kind before admission: observed plus reserved, in the project or in one lane.</summary>
        public int Active(JobKind kind, string? lane = null) =>
            Observed.Lanes.Where(l => lane is null || l.Lane == lane).Sum(l => kind == JobKind.Query ? l.Query : l.Load)
            + Reservations.Count(r => r.Kind == kind && (lane is null || r.Lane == lane));

        public override string ToString() =>
            $"lanes [{string.Join(", ", Lanes)}], limits {Limits}, observed [{string.Join(", ", Observed.Lanes)}], " +
            $"reservations [{string.Join(", ", Reservations)}], candidates [{string.Join(", ", Candidates)}]";
    }

    private static readonly Gen<Lane> Lanes =
        from priority in Gen.Elements(0L, 100L, 512L, 4000L, Lane.MaxPriority)
        from sql in Gen.Elements(0, 0, 1, 2, 3)
        from load in Gen.Elements(0, 0, 1, 2, 3)
        from maxWait in Gen.Elements<int?>(null, null, 60, 300)
        select new Lane("?", priority, new ThrottleLimits(sql, load), maxWait, new LaneWhen(Project: ".*"));

    private static Gen<Scenario> Scenarios(JobKind[] kinds, bool withReservations = true) =>
        from configured in Gen.Choose(1, 4).SelectMany(n => Lanes.ArrayOf(n))
        let lanes = configured.Select((l, i) => l with { Name = i == configured.Length - 1 ? Lane.MainName : $"l{i}", When = i == configured.Length - 1 ? null : l.When }).ToList()
        let names = lanes.Select(l => l.Name).ToArray()
        from sql in Gen.Elements(0, 0, 2, 4)
        from load in Gen.Elements(0, 0, 2, 4)
        from observed in Gen.CollectToList(names, name =>
            from q in Gen.Choose(0, 3)
            from l in Gen.Choose(0, 3)
            select new LaneJobs(name, q, l, 0, 0, []))
        from reservations in Gen.Choose(0, withReservations ? 4 : 0).SelectMany(n => Gen.ArrayOf(
            from lane in Gen.Elements(names)
            from kind in Gen.Elements(Limited)
            from ago in Gen.Choose(0, 20)
            select new Reservation(kind, Now.AddSeconds(-ago), Now.AddSeconds(60), $"r-{lane}-{ago}", lane), n))
        from candidates in Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(
            from lane in Gen.Elements(names)
            from kind in Gen.Elements(kinds)
            from age in Gen.Choose(0, 600)
            from waited in Gen.Choose(0, 600)
            select new AdmissionCandidate("", kind, lane, Now.AddSeconds(-age), Now.AddSeconds(-waited)), n))
        select new Scenario(
            lanes,
            new ThrottleLimits(sql, load),
            new ObservedJobs(observed),
            reservations,
            candidates.Select((c, i) => c with { Key = $"k{i}" }).ToList());

    private static readonly Arbitrary<Scenario> Admissions = Scenarios([JobKind.Query, JobKind.Load, JobKind.Load, JobKind.Copy]).ToArbitrary();

    [Property(MaxTest = 500)]
    public Property No_limit_of_the_project_or_a_lane_is_ever_exceeded() =>
        Prop.ForAll(Admissions, s =>
        {
            var admission = s.Admit();
            var admitted = s.Candidates.Where(c => admission.Admitted.Contains(c.Key)).ToList();
            foreach (var kind in Limited)
            {
                var ofKind = admitted.Count(c => c.Kind == kind);
                var limit = s.Limits.For(kind);
                Assert.True(limit == 0 || ofKind == 0 || s.Active(kind) + ofKind <= limit, $"{kind}: {s.Active(kind)} active + {ofKind} admitted > {limit} ({s})");
                foreach (var lane in s.Book.All.Where(l => l.Limits.For(kind) > 0))
                {
                    var inLane = admitted.Count(c => c.Kind == kind && s.Book[c.Lane] == lane);
                    var laneLimit = lane.Limits.For(kind);
                    Assert.True(inLane == 0 || s.Active(kind, lane.Name) + inLane <= laneLimit, $"{kind} in {lane.Name}: {s.Active(kind, lane.Name)} + {inLane} > {laneLimit} ({s})");
                }
            }

            Assert.Equal(s.Candidates.Count, admission.Admitted.Count + admission.Held.Count);
        });

    [Property(MaxTest = 500)]
    public Property Work_held_by_the_project_never_waits_behind_a_higher_priority_number_of_its_kind() =>
        Prop.ForAll(Admissions, s =>
        {
            var admission = s.Admit();
            foreach (var (held, admitted) in Pairs(s, admission, (h, by) => by.Scope == HeldBy.ProjectScope))
            {
                // Only work past its MaxWaitSec may overtake fresh work of a lower number.
                Assert.False(
                    s.Priority(admitted) > s.Priority(held) && (s.Aged(held) || !s.Aged(admitted)),
                    $"{held} (priority {s.Priority(held)}) held while {admitted} (priority {s.Priority(admitted)}) was admitted ({s})");
            }
        });

    [Property(MaxTest = 500)]
    public Property Within_a_lane_the_oldest_goes_first() =>
        Prop.ForAll(Admissions, s =>
        {
            var admission = s.Admit();
            foreach (var (held, admitted) in Pairs(s, admission, (_, _) => true)
                .Where(p => s.Book[p.Held.Lane] == s.Book[p.Admitted.Lane] && s.Aged(p.Held) == s.Aged(p.Admitted)))
            {
                Assert.True(admitted.Age <= held.Age, $"{held} held while the younger {admitted} was admitted ({s})");
            }
        });

    [Property(MaxTest = 500)]
    public Property Work_past_its_lanes_max_wait_goes_before_any_fresh_work() =>
        Prop.ForAll(Admissions, s =>
        {
            var admission = s.Admit();
            foreach (var (held, admitted) in Pairs(s, admission, (h, by) => by.Scope == HeldBy.ProjectScope && s.Aged(h)))
            {
                Assert.True(s.Aged(admitted), $"aged {held} held while fresh {admitted} was admitted ({s})");
            }
        });

    [Property(MaxTest = 500)]
    public Property Held_work_names_a_limit_that_is_reached() =>
        Prop.ForAll(Admissions, s =>
        {
            foreach (var hold in s.Admit().Held)
            {
                var candidate = s.Candidates.Single(c => c.Key == hold.Key);
                var limit = hold.By.Scope == HeldBy.ProjectScope ? s.Limits.For(candidate.Kind) : s.Book[candidate.Lane].Limits.For(candidate.Kind);
                Assert.Equal(ThrottleLimits.KeyFor(candidate.Kind), hold.By.Limit);
                Assert.Equal(limit, hold.By.Max);
                Assert.True(limit > 0 && hold.By.Active >= limit, $"{hold} ({s})");
            }
        });

    /// <summary>One cycle of a run: its candidates and observation, whether a job was just created, whether BqTail settled anything.</summary>
    public sealed record Cycle(Scenario Work, bool RecentJob, bool Settles);

    private static readonly Gen<Cycle> Cycles =
        from limitedWork in Gen.Elements(true, false)
        from work in Scenarios(limitedWork ? [JobKind.Query, JobKind.Load, JobKind.Copy] : [JobKind.Copy, JobKind.Export], withReservations: false)
        from recent in Gen.Elements(true, false, false)
        from settles in Gen.Elements(true, false, false, false)
        select new Cycle(work, recent, settles);

    /// <summary>
    /// Cycles of one project with evidence (recent jobs, settled keys) and expiry: a throttle asked only when
    /// <see cref="ProjectThrottle.CannotHold"/> is false admits, holds and reserves exactly as one asked every cycle.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Skipping_a_project_that_cannot_hold_changes_no_decision() =>
        Prop.ForAll(
            (from limits in Gen.Zip(Gen.Elements(0, 1, 2), Gen.Elements(1, 2, 3))
             from cycles in Gen.ArrayOf(Cycles, 10)
             select (Limits: new ThrottleLimits(limits.Item1, limits.Item2), Cycles: cycles)).ToArbitrary(),
            run =>
            {
                var asked = new ProjectThrottle();
                var skipping = new ProjectThrottle();
                var lanes = run.Cycles[0].Work.Lanes;
                var admittedBefore = new List<string>();
                for (var cycle = 0; cycle < run.Cycles.Length; cycle++)
                {
                    var now = Now.AddSeconds(20 * cycle);
                    var (work, recentJob, settles) = run.Cycles[cycle];
                    var observed = new ObservedJobs(work.Observed.Lanes
                        .Select(l => l with { Lane = lanes.Any(n => n.Name == l.Lane) ? l.Lane : Lane.MainName, RecentCreated = recentJob ? [now.AddSeconds(-3)] : [] })
                        .ToList());
                    var request = new AdmissionRequest(
                        now,
                        observed,
                        run.Limits,
                        TimeSpan.FromSeconds(300),
                        work.Candidates.Select(c => c with { Key = $"c{cycle}-{c.Key}", Lane = lanes.Any(l => l.Name == c.Lane) ? c.Lane : Lane.MainName }).ToList(),
                        settles ? admittedBefore.TakeLast(1).ToList() : [],
                        lanes);

                    var always = asked.Admit(request);
                    var skipped = ProjectThrottle.CannotHold(request) ? ProjectThrottle.AdmitAll(request) : skipping.Admit(request);

                    Assert.Equal(always.Admitted, skipped.Admitted);
                    Assert.Equal(always.Held, skipped.Held);
                    admittedBefore.AddRange(always.Admitted);
                }
            });

    /// <summary>Held and admitted candidates of the same kind, the held one chosen by <paramref name="heldBy"/>.</summary>
    private static IEnumerable<(AdmissionCandidate Held, AdmissionCandidate Admitted)> Pairs(
        Scenario s, Admission admission, Func<AdmissionCandidate, HeldBy, bool> heldBy)
    {
        var byKey = s.Candidates.ToDictionary(c => c.Key);
        return from hold in admission.Held
               let held = byKey[hold.Key]
               where heldBy(held, hold.By)
               from key in admission.Admitted
               let admitted = byKey[key]
               where admitted.Kind == held.Kind
               select (held, admitted);
    }
}
