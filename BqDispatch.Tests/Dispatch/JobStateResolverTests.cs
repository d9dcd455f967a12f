using System.Runtime.CompilerServices;
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

    private static readonly CancellationToken None = CancellationToken.None;

    private static JobSnapshot Job(string id, JobState state, JobType type = JobType.Load, DateTimeOffset? created = null) =>
        new("p", id, "US", state, type, created ?? Now - TimeSpan.FromMinutes(10));

    private static IAsyncEnumerable<JobListPage> Listed(params JobSnapshot[] jobs) => new[] { new JobListPage(jobs, []) }.ToAsyncEnumerable();

    private static JobLookup Lookup(string id, TimeSpan age) => new("p", "US", id, Now - age);

    private static bool IsActive(JobListQuery q) => q.States.Contains(JobState.Running);

    [Fact]
    public async Task The_active_listing_keeps_the_ids_and_the_throttles_counts_and_recent_jobs()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.ListPages(Arg.Is<JobListQuery>(q => IsActive(q) && q.States.Contains(JobState.Pending) && q.AllUsers), Arg.Any<CancellationToken>()).Returns(_ => Listed(
            Job("q1", JobState.Running, JobType.Query, Now - TimeSpan.FromSeconds(30)),
            Job("q2", JobState.Pending, JobType.Query, Now - TimeSpan.FromHours(1)),
            Job("l1", JobState.Running, JobType.Load),
            Job("c1", JobState.Running, JobType.Copy, Now - TimeSpan.FromSeconds(10))));

        var active = await new JobStateResolver(jobs, Settings).ListActive("p", Now, None);

        Assert.True(active.Contains("q2"));
        Assert.False(active.Contains("other"));
        Assert.Equal(1, active.Pages);
        var observation = active.Observation();
        Assert.Equal(2, observation.Observed.ActiveQuery);
        Assert.Equal(1, observation.Observed.ActiveLoad);
        // Recent jobs of every kind, newest first: a copy may be what a load's reservation waited for.
        Assert.Equal([Now - TimeSpan.FromSeconds(10), Now - TimeSpan.FromSeconds(30)], observation.Observed.Lanes.Single().RecentCreated);
        Assert.Equal(new KindCounts(1, 1, 1, 0), observation.Running);
        Assert.Equal(new KindCounts(1, 0, 0, 0), observation.Pending);
    }

    [Fact]
    public async Task The_active_listing_keeps_no_job_records_once_a_page_is_taken_in()
    {
        var jobs = Substitute.For<IJobsClient>();
        var snapshots = new List<WeakReference<JobSnapshot>>();
        jobs.ListPages(default!, default).ReturnsForAnyArgs(_ => ThreePages(snapshots));

        var active = await ListActive(jobs);

        // Twice, with finalizers between: what a finalizer or a recorded call kept alive goes the second time.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(3, active.Pages);
        Assert.True(active.Contains("job_299"));
        Assert.Equal(300, snapshots.Count);
        Assert.DoesNotContain(snapshots, s => s.TryGetTarget(out _));
    }

    // In a frame of its own, so nothing of the listing stays reachable from the test's locals in a debug build.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<ActiveJobs> ListActive(IJobsClient jobs) => await new JobStateResolver(jobs, Settings).ListActive("p", Now, None);

    [Fact]
    public async Task Done_jobs_are_listed_only_from_the_oldest_trace_the_active_listings_did_not_show()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.ListPages(Arg.Is<JobListQuery>(q => q.States.SequenceEqual(new[] { JobState.Done })), Arg.Any<CancellationToken>())
            .Returns(_ => Listed(Job("done", JobState.Done), Job("someone_elses", JobState.Done)));

        var states = await new JobStateResolver(jobs, Settings).Resolve(
            [Lookup("done", TimeSpan.FromMinutes(30)), Lookup("young", TimeSpan.FromMinutes(5))], Now, None);

        Assert.Equal(JobStatus.Done, states.StateOf("p", "done"));
        Assert.Equal(JobStatus.Unknown, states.StateOf("p", "someone_elses"));
        jobs.Received(1).ListPages(
            Arg.Is<JobListQuery>(q => q.States.SequenceEqual(new[] { JobState.Done }) && q.MinCreated == Now - TimeSpan.FromMinutes(31) && q.AllUsers),
            Arg.Any<CancellationToken>());
        Assert.Equal(1, states.ListCalls);
    }

    [Fact]
    public async Task Nothing_to_resolve_asks_nothing()
    {
        var jobs = Substitute.For<IJobsClient>();

        var states = await new JobStateResolver(jobs, Settings).Resolve([], Now, None);

        Assert.Equal(0, states.ListCalls);
        jobs.DidNotReceiveWithAnyArgs().ListPages(default!, default);
    }

    [Fact]
    public async Task A_listing_started_early_is_shared_by_every_page_of_its_project()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.ListPages(default!, default).ReturnsForAnyArgs(_ => Listed(Job("a", JobState.Running)));
        var listings = new ActiveListings(new JobStateResolver(jobs, Settings), Now, None);

        var first = listings.Of("p");
        var again = listings.Of("p");
        _ = listings.Of("idle");
        var ended = await listings.Ended();

        Assert.Same(first, again);
        Assert.True((await first).Jobs!.Contains("a"));
        Assert.Equal(["idle", "p"], ended.Keys.Order(StringComparer.Ordinal));
        jobs.ReceivedWithAnyArgs(2).ListPages(default!, default);
    }

    [Fact]
    public async Task Without_permission_to_list_all_users_it_lists_its_own_jobs_from_then_on()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.ListPages(Arg.Is<JobListQuery>(q => q.AllUsers), Arg.Any<CancellationToken>())
            .Throws(new BigQueryException(403, "accessDenied", "Access Denied: bigquery.jobs.listAll"));
        jobs.ListPages(Arg.Is<JobListQuery>(q => !q.AllUsers), Arg.Any<CancellationToken>()).Returns(_ => Listed(Job("a", JobState.Running)));
        var resolver = new JobStateResolver(jobs, Settings);

        var first = await resolver.ListActive("p", Now, None);
        await resolver.ListActive("p", Now, None);

        Assert.True(first.Contains("a"));
        jobs.Received(1).ListPages(Arg.Is<JobListQuery>(q => q.AllUsers), Arg.Any<CancellationToken>());
        jobs.Received(2).ListPages(Arg.Is<JobListQuery>(q => !q.AllUsers), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Gets_are_spent_on_the_oldest_misses_within_the_budget()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.ListPages(default!, default).ReturnsForAnyArgs(_ => Listed());
        jobs.Get("p", "oldest", "US", Arg.Any<CancellationToken>()).Returns(Job("oldest", JobState.Done));
        jobs.Get("p", "older", "US", Arg.Any<CancellationToken>()).Returns((JobSnapshot?)null);

        var states = await new JobStateResolver(jobs, Settings).Resolve(
            [Lookup("newest", TimeSpan.FromMinutes(1)), Lookup("oldest", TimeSpan.FromHours(3)), Lookup("older", TimeSpan.FromHours(2))],
            Now, None);

        Assert.Equal(JobStatus.Done, states.StateOf("p", "oldest"));
        Assert.Equal(JobStatus.NotFound, states.StateOf("p", "older"));
        Assert.Equal(JobStatus.Unknown, states.StateOf("p", "newest"));
        Assert.Equal(2, states.GetCalls);
    }

    [Fact]
    public async Task A_listing_failure_leaves_the_project_unresolved_and_says_so()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.ListPages(default!, default).ThrowsForAnyArgs(new BigQueryException(500, "backendError", "Backend error"));
        var resolver = new JobStateResolver(jobs, Settings);

        var active = await new ActiveListings(resolver, Now, None).Of("p");
        var states = await resolver.Resolve([Lookup("a", TimeSpan.FromMinutes(1))], Now, None);

        Assert.Null(active.Jobs);
        Assert.False(active.ProjectUnknown);
        Assert.Contains("Backend error", active.Error, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Unknown, states.StateOf("p", "a"));
        Assert.Contains("Backend error", Assert.Single(states.Errors), StringComparison.Ordinal);
        await jobs.DidNotReceiveWithAnyArgs().Get(default!, default!, default, default);
    }

    [Fact]
    public async Task A_project_bigquery_does_not_know_makes_its_traces_not_found()
    {
        var jobs = Substitute.For<IJobsClient>();
        jobs.ListPages(default!, default).ThrowsForAnyArgs(new BigQueryException(404, "notFound", "Not found: Project ghost"));

        var active = await new ActiveListings(new JobStateResolver(jobs, Settings), Now, None).Of("ghost");

        Assert.True(active.ProjectUnknown);
        Assert.Contains("does not know it", active.Error, StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<JobListPage> ThreePages(List<WeakReference<JobSnapshot>> made, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        for (var page = 0; page < 3; page++)
        {
            await Task.Yield();
            cancellation.ThrowIfCancellationRequested();
            var jobs = Enumerable.Range(page * 100, 100).Select(i => Job($"job_{i}", JobState.Running)).ToList();
            made.AddRange(jobs.Select(j => new WeakReference<JobSnapshot>(j)));
            yield return new JobListPage(jobs, []);
        }
    }
}
