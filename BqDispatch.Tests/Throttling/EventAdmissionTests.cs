using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using Xunit;

namespace BqDispatch.Tests.Throttling;

/// <summary>An event's admission between cycles: decided on the newest cycle's observation and the reservations since.</summary>
public class EventAdmissionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(2);
    private static readonly ThrottleLimits Limits = new(0, 3);

    [Fact]
    public void Events_share_the_slots_the_last_cycle_left_and_reserve_what_they_take()
    {
        var throttle = Observed(activeLoads: 1);

        var first = throttle.AdmitEvent(Event("e1", T0.AddSeconds(2)));
        var second = throttle.AdmitEvent(Event("e2", T0.AddSeconds(3)));
        var third = throttle.AdmitEvent(Event("e3", T0.AddSeconds(4)));

        Assert.Equal(["e1"], first.Admitted);
        Assert.Equal(["e2"], second.Admitted);
        Assert.Empty(third.Admitted);
        Assert.Equal(new HeldBy("MaxConcurrentLoad", HeldBy.ProjectScope, 3, 3), Assert.Single(third.Held).By);
        Assert.Equal(["e1", "e2"], throttle.Reservations.Select(r => r.Key));
    }

    [Fact]
    public void Without_a_recent_observation_a_limited_kind_is_left_to_the_next_cycle()
    {
        var never = new ProjectThrottle().AdmitEvent(Event("e", T0));
        var stale = Observed(activeLoads: 0).AdmitEvent(Event("e", T0 + EventAdmission.MaxObservationAge + TimeSpan.FromSeconds(1)));
        var fresh = Observed(activeLoads: 0).AdmitEvent(Event("e", T0 + EventAdmission.MaxObservationAge));

        Assert.Equal(HeldBy.Unobserved(JobKind.Load), Assert.Single(never.Held).By);
        Assert.Equal(HeldBy.Unobserved(JobKind.Load), Assert.Single(stale.Held).By);
        Assert.Equal(["e"], fresh.Admitted);
    }

    [Fact]
    public void An_unlimited_kind_goes_at_once_and_reserves_nothing_whatever_was_observed()
    {
        var throttle = new ProjectThrottle();

        var admission = throttle.AdmitEvent(Event("q", T0, JobKind.Query));

        Assert.Equal(["q"], admission.Admitted);
        Assert.Empty(throttle.Reservations);
    }

    [Fact]
    public void A_cycle_keeps_its_observation_only_when_asked_to_and_without_the_creation_times()
    {
        var plain = new ProjectThrottle();
        plain.Admit(Request(keep: false));
        var kept = new ProjectThrottle();
        kept.Admit(Request(keep: true));

        Assert.Null(plain.LastObserved);
        Assert.Equal((T0, 2), (kept.ObservedAt, kept.LastObserved!.ActiveLoad));
        Assert.All(kept.LastObserved.Lanes, l => Assert.Empty(l.RecentCreated));
    }

    private static ProjectThrottle Observed(int activeLoads)
    {
        var throttle = new ProjectThrottle();
        throttle.Admit(new AdmissionRequest(T0, Support.Observed.Jobs(0, activeLoads), Limits, Ttl, [], KeepObservation: true));
        return throttle;
    }

    private static AdmissionRequest Request(bool keep) =>
        new(T0, Support.Observed.Jobs(0, 2, [T0.AddSeconds(-1)]), Limits, Ttl, [], KeepObservation: keep);

    private static EventAdmission Event(string key, DateTimeOffset now, JobKind kind = JobKind.Load) =>
        new(now, new AdmissionCandidate(key, kind), Limits, Ttl);
}
