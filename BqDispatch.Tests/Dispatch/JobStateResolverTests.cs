using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

public class JobStateResolverTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static readonly ResolverSettings Settings = new(
        ListAllUsers: true, Lookback: TimeSpan.FromHours(6), MaxGetsPerCycle: 2, GetParallelism: 2, RecentWindow: TimeSpan.FromMinutes(2));

    private static JobSnapshot Job(string id, JobState state, JobType type = JobType.Load, DateTimeOffset? created = null) =>
        new("p", id, "US", state, type, created ?? Now - TimeSpan.FromMinutes(10));

    private static JobListResult Listed(params JobSnapshot[] jobs) => new(jobs, 1, []);

    private static JobLookup Lookup(string id, TimeSpan age) => new("p", "US", id, Now - age);

    [Fact]
    public async Task Active_jobs_answer_first_and_done_jobs_are_listed_only_from_the_oldest_unresolved_trace()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.List(Arg.Is<JobListQuery>(q => q.States.Contains(JobState.Running)), Arg.Any<CancellationToken>())
            .Returns(Listed(Job("running", JobState.Running)));
        jobs.List(Arg.Is<JobListQuery>(q => q.States.SequenceEqual(new[] { JobState.Done })), Arg.Any<CancellationToken>())
            .Returns(Listed(Job("done", JobState.Done)));

        var states = await new JobStateResolver(jobs, Settings).Resolve(
            [Lookup("running", TimeSpan.FromHours(2)), Lookup("done", TimeSpan.FromMinutes(30))], [], Now, CancellationToken.None);

        Assert.Equal(JobStatus.Running, states.StateOf("p", "running"));
        Assert.Equal(JobStatus.Done, states.StateOf("p", "done"));
        await jobs.Received(1).List(
            Arg.Is<JobListQuery>(q => q.States.SequenceEqual(new[] { JobState.Done }) && q.MinCreated == Now - TimeSpan.FromMinutes(31) && q.AllUsers),
            Arg.Any<CancellationToken>());
        await jobs.DidNotReceiveWithAnyArgs().Get(default!, default!, default, default);
        Assert.Equal(2, states.ListCalls);
    }

    [Fact]
    public async Task An_active_listing_started_early_is_used_once_and_counted_once()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.List(Arg.Any<JobListQuery>(), Arg.Any<CancellationToken>()).Returns(Listed(Job("a", JobState.Running)));
        var resolver = new JobStateResolver(jobs, Settings);

        var started = resolver.StartActiveListings(["p", "p", "idle"], CancellationToken.None);
        var states = await resolver.Resolve([Lookup("a", TimeSpan.FromMinutes(1))], [], Now, CancellationToken.None, started);

        Assert.Equal(JobStatus.Running, states.StateOf("p", "a"));
        Assert.Equal(2, states.ListCalls);
        Assert.Contains("idle", states.Projects.Keys);
        await jobs.Received(2).List(Arg.Any<JobListQuery>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task No_done_listing_when_every_trace_is_active()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.List(Arg.Any<JobListQuery>(), Arg.Any<CancellationToken>()).Returns(Listed(Job("a", JobState.Pending)));

        var states = await new JobStateResolver(jobs, Settings).Resolve([Lookup("a", TimeSpan.FromMinutes(1))], [], Now, CancellationToken.None);

        Assert.Equal(1, states.ListCalls);
        Assert.Equal(JobStatus.Pending, states.StateOf("p", "a"));
    }

    [Fact]
    public async Task Without_permission_to_list_all_users_it_lists_its_own_jobs_from_then_on()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.List(Arg.Is<JobListQuery>(q => q.AllUsers), Arg.Any<CancellationToken>())
            .Throws(new BigQueryException(403, "accessDenied", "Access Denied: bigquery.jobs.listAll"));
        jobs.List(Arg.Is<JobListQuery>(q => !q.AllUsers), Arg.Any<CancellationToken>()).Returns(Listed(Job("a", JobState.Running)));
        var resolver = new JobStateResolver(jobs, Settings);

        var first = await resolver.Resolve([Lookup("a", TimeSpan.FromMinutes(1))], [], Now, CancellationToken.None);
        await resolver.Resolve([Lookup("a", TimeSpan.FromMinutes(1))], [], Now, CancellationToken.None);

        Assert.Equal(JobStatus.Running, first.StateOf("p", "a"));
        Assert.Empty(first.Errors);
        await jobs.Received(1).List(Arg.Is<JobListQuery>(q => q.AllUsers), Arg.Any<CancellationToken>());
        await jobs.Received(2).List(Arg.Is<JobListQuery>(q => !q.AllUsers), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Gets_are_spent_on_the_oldest_misses_within_the_budget()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.List(Arg.Any<JobListQuery>(), Arg.Any<CancellationToken>()).Returns(Listed());
        jobs.Get("p", "oldest", "US", Arg.Any<CancellationToken>()).Returns(Job("oldest", JobState.Done));
        jobs.Get("p", "older", "US", Arg.Any<CancellationToken>()).Returns((JobSnapshot?)null);

        var states = await new JobStateResolver(jobs, Settings).Resolve(
            [Lookup("newest", TimeSpan.FromMinutes(1)), Lookup("oldest", TimeSpan.FromHours(3)), Lookup("older", TimeSpan.FromHours(2))],
            [], Now, CancellationToken.None);

        Assert.Equal(JobStatus.Done, states.StateOf("p", "oldest"));
        Assert.Equal(JobStatus.NotFound, states.StateOf("p", "older"));
        Assert.Equal(JobStatus.Unknown, states.StateOf("p", "newest"));
        Assert.Equal(2, states.GetCalls);
    }

    [Fact]
    public async Task The_active_listing_gives_the_throttle_its_counts_and_recent_jobs()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.List(Arg.Any<JobListQuery>(), Arg.Any<CancellationToken>()).Returns(Listed(
            Job("q1", JobState.Running, JobType.Query, Now - TimeSpan.FromSeconds(30)),
            Job("q2", JobState.Pending, JobType.Query, Now - TimeSpan.FromHours(1)),
            Job("l1", JobState.Running, JobType.Load),
            Job("c1", JobState.Running, JobType.Copy, Now - TimeSpan.FromSeconds(10))));

        var states = await new JobStateResolver(jobs, Settings).Resolve([], ["p"], Now, CancellationToken.None);

        var observation = states.Projects["p"];
        Assert.Equal(2, observation.Observed.ActiveQuery);
        Assert.Equal(1, observation.Observed.ActiveLoad);
        // Recent jobs of every kind, newest first: a copy may be what a load's reservation waited for.
        Assert.Equal([Now - TimeSpan.FromSeconds(10), Now - TimeSpan.FromSeconds(30)], observation.Observed.Lanes.Single().RecentCreated);
        Assert.Equal(new KindCounts(1, 1, 1, 0), observation.Running);
        Assert.Equal(new KindCounts(1, 0, 0, 0), observation.Pending);
    }

    [Fact]
    public async Task A_listing_failure_leaves_the_project_unresolved_and_says_so()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.List(Arg.Any<JobListQuery>(), Arg.Any<CancellationToken>()).Throws(new BigQueryException(500, "backendError", "Backend error"));

        var states = await new JobStateResolver(jobs, Settings).Resolve([Lookup("a", TimeSpan.FromMinutes(1))], [], Now, CancellationToken.None);

        Assert.Equal(JobStatus.Unknown, states.StateOf("p", "a"));
        Assert.Contains("Backend error", Assert.Single(states.Errors), StringComparison.Ordinal);
        await jobs.DidNotReceiveWithAnyArgs().Get(default!, default!, default, default);
    }
}
