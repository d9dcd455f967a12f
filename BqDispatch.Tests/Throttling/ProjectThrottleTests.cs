using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Throttling;

public class ProjectThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(2);

    private static AdmissionRequest Request(
        DateTimeOffset now, int sql, int load, ObservedJobs observed, params (string Key, JobKind Kind)[] candidates) =>
        new(now, observed, new ThrottleLimits(sql, load), Ttl, candidates.Select(c => new AdmissionCandidate(c.Key, c.Kind)).ToList());

    private static ObservedJobs Active(int query, int load, DateTimeOffset[]? recentQuery = null, DateTimeOffset[]? recentLoad = null) =>
        Observed.Jobs(query, load, [.. recentQuery ?? [], .. recentLoad ?? []]);

    [Fact]
    public void A_limit_of_n_admits_while_fewer_than_n_are_active()
    {
        var lane = new ProjectThrottle();
        var admission = lane.Admit(Request(T0, 3, 0, Active(2, 0), ("c", JobKind.Query)));
        Assert.Equal(["c"], admission.Admitted);

        var full = new ProjectThrottle().Admit(Request(T0, 2, 0, Active(2, 0), ("c", JobKind.Query)));
        Assert.Empty(full.Admitted);
        Assert.Equal(["c"], full.Held.Select(h => h.Key));
    }

    [Fact]
    public void Zero_means_unlimited_and_copy_export_other_are_never_held()
    {
        var admission = new ProjectThrottle().Admit(Request(T0, 0, 1, Active(50, 5),
            ("q", JobKind.Query), ("c", JobKind.Copy), ("e", JobKind.Export), ("o", JobKind.Other)));
        Assert.Equal(["q", "c", "e", "o"], admission.Admitted);
        Assert.Equal(0, admission.Reservations);
    }

    [Fact]
    public void Admissions_reserve_slots_oldest_candidate_first()
    {
        var lane = new ProjectThrottle();
        var admission = lane.Admit(Request(T0, 0, 3, Active(0, 1),
            ("oldest", JobKind.Load), ("middle", JobKind.Load), ("newest", JobKind.Load)));
        Assert.Equal(["oldest", "middle"], admission.Admitted);
        Assert.Equal(["newest"], admission.Held.Select(h => h.Key));
        Assert.Equal(3, admission.ActiveLoad);
        Assert.Equal(2, lane.Reservations.Count);
    }

    [Fact]
    public void Reservations_hold_slots_until_bigquery_shows_the_new_jobs()
    {
        var lane = new ProjectThrottle();
        lane.Admit(Request(T0, 1, 0, Active(0, 0), ("first", JobKind.Query)));

        // Next cycle BigQuery does not show the job yet: the reservation still counts.
        var held = lane.Admit(Request(T0.AddSeconds(3), 1, 0, Active(0, 0), ("second", JobKind.Query)));
        Assert.Equal(["second"], held.Held.Select(h => h.Key));

        // Now the job caused by the first hand-off is visible and running: counted once, not twice.
        var visible = Active(1, 0, recentQuery: [T0.AddSeconds(1)]);
        var still = lane.Admit(Request(T0.AddSeconds(6), 2, 0, visible, ("second", JobKind.Query)));
        Assert.Equal(["second"], still.Admitted);
        Assert.Equal(2, still.ActiveQuery);
    }

    [Fact]
    public void A_job_releases_at_most_one_reservation_even_across_cycles()
    {
        var lane = new ProjectThrottle();
        lane.Admit(Request(T0, 3, 0, Active(0, 0), ("a", JobKind.Query)));
        var jobOfA = T0.AddSeconds(1);
        lane.Admit(Request(T0.AddSeconds(3), 3, 0, Active(1, 0, recentQuery: [jobOfA]), ("b", JobKind.Query)));

        // b's job is not visible yet; a's job is still listed as recent, but it was already used by a's reservation.
        var admission = lane.Admit(Request(T0.AddSeconds(4), 3, 0, Active(1, 0, recentQuery: [jobOfA]), ("c", JobKind.Query)));
        Assert.Equal(3, admission.ActiveQuery);
        Assert.Single(lane.Reservations, r => r.ReservedAt == T0.AddSeconds(4));
    }

    [Fact]
    public void Reservations_expire()
    {
        var lane = new ProjectThrottle();
        lane.Admit(Request(T0, 1, 0, Active(0, 0), ("a", JobKind.Query)));
        Assert.Empty(lane.Admit(Request(T0 + Ttl - TimeSpan.FromSeconds(1), 1, 0, Active(0, 0), ("b", JobKind.Query))).Admitted);
        Assert.Equal(["b"], lane.Admit(Request(T0 + Ttl, 1, 0, Active(0, 0), ("b", JobKind.Query))).Admitted);
    }

    [Fact]
    public void Jobs_older_than_a_reservation_do_not_release_it()
    {
        var lane = new ProjectThrottle();
        lane.Admit(Request(T0, 1, 0, Active(0, 0), ("a", JobKind.Query)));
        var old = Active(0, 0, recentQuery: [T0 - TimeSpan.FromMinutes(1)]);
        Assert.Equal(1, lane.Admit(Request(T0.AddSeconds(3), 1, 0, old)).Reservations);
    }

    [Fact]
    public void Query_and_load_lanes_are_independent()
    {
        var admission = new ProjectThrottle().Admit(Request(T0, 1, 1, Active(1, 0), ("q", JobKind.Query), ("l", JobKind.Load)));
        Assert.Equal(["l"], admission.Admitted);
        Assert.Equal(["q"], admission.Held.Select(h => h.Key));
    }

    [Fact]
    public void A_new_job_of_any_kind_releases_a_reservation()
    {
        // A finished load's post action is a copy: that copy job is what the load's reservation waited for.
        var lane = new ProjectThrottle();
        lane.Admit(Request(T0, 0, 1, Active(0, 0), ("load-trace", JobKind.Load)));
        var copyJob = Observed.Jobs(0, 0, [T0.AddSeconds(2)]);

        var admission = lane.Admit(Request(T0.AddSeconds(3), 0, 1, copyJob, ("next-load", JobKind.Load)));

        Assert.Equal(["next-load"], admission.Admitted);
        Assert.Equal(1, admission.ActiveLoad);
    }

    [Fact]
    public void Settled_keys_release_their_reservations_at_once()
    {
        // BqTail consumed the trigger object of "a" (or wrote its next step's trace) without a job BigQuery shows yet.
        var lane = new ProjectThrottle();
        lane.Admit(Request(T0, 2, 0, Active(0, 0), ("a", JobKind.Query), ("b", JobKind.Query)));

        var admission = lane.Admit(Request(T0.AddSeconds(3), 2, 0, Active(0, 0), ("c", JobKind.Query)) with { Settled = ["a", "unknown"] });

        Assert.Equal(["c"], admission.Admitted);
        Assert.Equal(["b", "c"], lane.Reservations.Select(r => r.Key));
    }

    [Fact]
    public void Held_work_is_always_explained_by_a_reached_limit()
    {
        var random = new Random(9);
        var lane = new ProjectThrottle();
        for (var cycle = 0; cycle < 200; cycle++)
        {
            var now = T0.AddSeconds(3 * cycle);
            var recent = Enumerable.Range(0, random.Next(3)).Select(_ => now.AddSeconds(-random.Next(20))).ToArray();
            var candidates = Enumerable.Range(0, random.Next(6))
                .Select(i => ($"{cycle}-{i}", (JobKind)random.Next(0, 4)))
                .ToArray();

            var admission = lane.Admit(Request(now, 3, 2, Active(random.Next(4), random.Next(3), recent), candidates));

            foreach (var key in admission.Held.Select(h => h.Key))
            {
                var kind = candidates.Single(c => c.Item1 == key).Item2;
                Assert.True(kind == JobKind.Query ? admission.ActiveQuery >= 3 : admission.ActiveLoad >= 2, $"{key} held below its limit");
            }

            Assert.All(lane.Reservations, r => Assert.True(r.ExpiresAt > now));
        }
    }
}
