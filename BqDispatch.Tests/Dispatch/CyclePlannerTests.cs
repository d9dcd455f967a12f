using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

public class CyclePlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static readonly RunSettings Settings = new(
        TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(3), 1000, 100, new ThrottleLimits(0, 2), TimeSpan.FromMinutes(2));

    private static TraceWork Trace(string project, string name, JobKind kind, TimeSpan age) =>
        new($"mem://d/T/{name}", name, project, "US", name, kind.ToString().ToLowerInvariant(), kind, Now - age, 1);

    private static WindowWork Window(string project, string name, TimeSpan endedAgo) =>
        new($"mem://d/T/{name}", name, Now - endedAgo, 1, project, project + "/batching");

    [Fact]
    public void Traces_and_windows_of_a_project_are_one_oldest_first_queue_and_windows_ask_for_load_slots()
    {
        var requests = CyclePlanner.Requests(
            Settings,
            Now,
            new Dictionary<string, ObservedJobs>(),
            [Trace("p", "new-trace", JobKind.Query, TimeSpan.FromMinutes(1)), Trace("p", "old-trace", JobKind.Load, TimeSpan.FromMinutes(9))],
            [Window("p", "window", TimeSpan.FromMinutes(5)), Window("q", "other", TimeSpan.FromMinutes(1))]);

        Assert.Equal(["p", "q"], requests.Keys.Order());
        Assert.Equal(
            [
                new("mem://d/T/old-trace", JobKind.Load, "main", Now - TimeSpan.FromMinutes(9), Now - TimeSpan.FromMinutes(9)),
                new("mem://d/T/window", JobKind.Load, "main", Now - TimeSpan.FromMinutes(5), Now - TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(7)),
                new AdmissionCandidate("mem://d/T/new-trace", JobKind.Query, "main", Now - TimeSpan.FromMinutes(1), Now - TimeSpan.FromMinutes(1)),
            ],
            requests["p"].Candidates);
        Assert.Same(ObservedJobs.None, requests["q"].Observed);
        Assert.Equal(Settings.Limits, requests["p"].Limits);
    }
}
