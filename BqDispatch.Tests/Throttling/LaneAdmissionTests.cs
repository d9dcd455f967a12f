using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using Xunit;

namespace BqDispatch.Tests.Throttling;

/// <summary>Lanes inside one project's throttle: priorities, a lane's own limits and reservations, aging.</summary>
public sealed class LaneAdmissionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static readonly Lane Backfill = new("backfill", 4000, new ThrottleLimits(0, 2), 600, new LaneWhen(Dest: "backfill_.*"));
    private static readonly Lane Critical = new("critical", 0, ThrottleLimits.None, null, new LaneWhen(Dest: "billing_.*"));
    private static readonly Lane[] Lanes = [Backfill, Critical];

    private static AdmissionCandidate Work(string key, string lane, int ageSec, JobKind kind = JobKind.Load) =>
        new(key, kind, lane, T0.AddSeconds(-ageSec), T0.AddSeconds(-ageSec));

    private static AdmissionRequest Request(ThrottleLimits limits, ObservedJobs observed, params AdmissionCandidate[] candidates) =>
        new(T0, observed, limits, TimeSpan.FromMinutes(2), candidates, [], Lanes);

    private static ObservedJobs Loads(params (string Lane, int Load, DateTimeOffset[] Recent)[] lanes) =>
        new([.. lanes.Select(l => new LaneJobs(l.Lane, 0, l.Load, 0, 0, l.Recent))]);

    [Fact]
    public void A_lower_priority_number_goes_first_whatever_the_age()
    {
        var admission = new ProjectThrottle().Admit(Request(new ThrottleLimits(0, 2), ObservedJobs.None,
            Work("old-backfill", "backfill", 500), Work("live", "main", 5), Work("billing", "critical", 1)));

        Assert.Equal(["billing", "live"], admission.Admitted);
        Assert.Equal([new Hold("old-backfill", new HeldBy("MaxConcurrentLoad", HeldBy.ProjectScope, 2, 2))], admission.Held);
    }

    [Fact]
    public void A_lane_limit_binds_while_the_project_limit_does_not_and_other_lanes_go_on()
    {
        var throttle = new ProjectThrottle();
        var admission = throttle.Admit(Request(new ThrottleLimits(0, 10), Loads(("backfill", 1, [])),
            Work("b1", "backfill", 30), Work("b2", "backfill", 20), Work("live", "main", 10)));

        Assert.Equal(["live", "b1"], admission.Admitted);
        Assert.Equal([new Hold("b2", new HeldBy("MaxConcurrentLoad", HeldBy.LaneScope, 2, 2))], admission.Held);
        Assert.Equal(["backfill", "main"], throttle.Reservations.Select(r => r.Lane).Order());
    }

    [Fact]
    public void A_new_job_releases_a_reservation_of_its_own_lane_only()
    {
        var throttle = new ProjectThrottle();
        throttle.Admit(Request(new ThrottleLimits(0, 10), ObservedJobs.None, Work("b1", "backfill", 30), Work("b2", "backfill", 20)));

        // A live job appears: the backfill lane's reservations still wait for theirs, so its limit still binds.
        var afterLive = throttle.Admit(Request(new ThrottleLimits(0, 10), Loads(("main", 1, [T0.AddSeconds(1)])), Work("b3", "backfill", 10)) with { Now = T0.AddSeconds(3) });
        Assert.Empty(afterLive.Admitted);

        // A backfill job appears: it is what b1's reservation waited for; BigQuery counts it now, and b2 still holds a slot.
        var afterBackfill = throttle.Admit(Request(new ThrottleLimits(0, 10), Loads(("main", 1, []), ("backfill", 1, [T0.AddSeconds(4)])), Work("b3", "backfill", 10)) with { Now = T0.AddSeconds(6) });
        Assert.Empty(afterBackfill.Admitted);
        Assert.Equal(["b2"], throttle.Reservations.Select(r => r.Key));
    }

    [Fact]
    public void Work_waiting_longer_than_its_lanes_max_wait_goes_before_fresh_work_of_any_priority()
    {
        var starved = new AdmissionCandidate("starved", JobKind.Load, "backfill", T0.AddMinutes(-30), T0.AddSeconds(-601));
        var patient = new AdmissionCandidate("patient", JobKind.Load, "backfill", T0.AddMinutes(-40), T0.AddSeconds(-600));

        var admission = new ProjectThrottle().Admit(Request(new ThrottleLimits(0, 1), ObservedJobs.None, Work("billing", "critical", 1), patient, starved));

        Assert.Equal(["starved"], admission.Admitted);
        Assert.Equal(["billing", "patient"], admission.Held.Select(h => h.Key));
    }

    [Fact]
    public void Work_of_a_lane_the_configuration_no_longer_names_is_mains()
    {
        var throttle = new ProjectThrottle();
        var admission = throttle.Admit(Request(new ThrottleLimits(0, 1), ObservedJobs.None, Work("gone", "renamed", 50), Work("billing", "critical", 1)));

        Assert.Equal(["billing"], admission.Admitted);
        Assert.Equal(512, new LaneBook(Lanes)["renamed"].Priority);
    }

    [Fact]
    public void A_project_where_nothing_is_limited_and_nothing_is_released_need_not_be_asked()
    {
        var copies = Request(new ThrottleLimits(0, 2), Loads(("main", 1, [])), Work("c", "main", 5, JobKind.Copy), Work("b", "backfill", 5, JobKind.Query));
        Assert.True(ProjectThrottle.CannotHold(copies));
        Assert.Equal(["c", "b"], ProjectThrottle.AdmitAll(copies).Admitted);

        Assert.False(ProjectThrottle.CannotHold(copies with { Candidates = [Work("l", "main", 5)] }));
        Assert.False(ProjectThrottle.CannotHold(copies with { Settled = ["x"] }));
        Assert.False(ProjectThrottle.CannotHold(copies with { Observed = Loads(("main", 1, [T0])) }));
        var unlimited = copies with { Limits = ThrottleLimits.None, Lanes = [Critical], Observed = Loads(("main", 1, [T0])) };
        Assert.True(ProjectThrottle.CannotHold(unlimited));
    }
}
