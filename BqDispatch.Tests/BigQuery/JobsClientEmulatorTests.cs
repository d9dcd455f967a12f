using BqDispatch.Core.BigQuery;
using BqDispatch.Emulators.BigQuery;
using Xunit;
using static BqDispatch.Tests.BigQuery.EmulatorHarness;

namespace BqDispatch.Tests.BigQuery;

/// <summary>JobsRestClient against the BigQuery emulator over real HTTP on 127.0.0.1.</summary>
public sealed class JobsClientEmulatorTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Three jobs seen at T0 + 90 s: one pending, one running, one done.</summary>
    private static async Task<EmulatorHarness> StartWithOneJobPerState()
    {
        var harness = await Start();
        harness.Emulator.AddJob(Job("done_job", T0.AddMinutes(-10)));
        harness.Emulator.AddJob(Job("running_job", T0));
        harness.Emulator.AddJob(Job("pending_job", T0.AddSeconds(60)));
        harness.Now = T0.AddSeconds(90);
        return harness;
    }

    [Theory]
    [InlineData(JobState.Pending, "pending_job")]
    [InlineData(JobState.Running, "running_job")]
    [InlineData(JobState.Done, "done_job")]
    public async Task List_filters_by_each_state(JobState state, string expected)
    {
        await using var harness = await StartWithOneJobPerState();

        var result = await harness.Client.List(Query([state]), None);

        var job = Assert.Single(result.Jobs);
        Assert.Equal(expected, job.JobId);
        Assert.Equal(state, job.State);
        Assert.Equal(1, result.Pages);
    }

    [Fact]
    public async Task List_with_several_states_or_none_returns_the_union_newest_first()
    {
        await using var harness = await StartWithOneJobPerState();

        var active = await harness.Client.List(Query([JobState.Pending, JobState.Running]), None);
        var all = await harness.Client.List(Query(), None);

        Assert.Equal(["pending_job", "running_job"], active.Jobs.Select(j => j.JobId));
        Assert.Equal(["pending_job", "running_job", "done_job"], all.Jobs.Select(j => j.JobId));
        Assert.Contains(harness.Emulator.Requests, r => r.Route == EmulatorRoutes.List
            && r.QueryString.Contains("stateFilter=pending&stateFilter=running", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_creation_time_bounds_are_inclusive_to_the_millisecond()
    {
        await using var harness = await Start();
        for (var ms = 0; ms < 5; ms++)
        {
            harness.Emulator.AddJob(Job($"job_{ms}", T0.AddMilliseconds(ms)));
        }

        var result = await harness.Client.List(Query(min: T0.AddMilliseconds(1), max: T0.AddMilliseconds(3)), None);

        Assert.Equal(["job_3", "job_2", "job_1"], result.Jobs.Select(j => j.JobId));
        Assert.Equal(T0.AddMilliseconds(3), result.Jobs[0].Created);
    }

    [Fact]
    public async Task List_follows_every_page_of_2500_jobs()
    {
        await using var harness = await Start();
        for (var i = 0; i < 2500; i++)
        {
            harness.Emulator.AddJob(Job($"job_{i:D4}", T0.AddSeconds(-i)));
        }

        var result = await harness.Client.List(Query(), None);

        Assert.Equal(3, result.Pages);
        Assert.Equal(3, harness.Emulator.ListCalls);
        Assert.Equal(2500, result.Jobs.Count);
        Assert.Equal(2500, result.Jobs.Select(j => j.JobId).Distinct().Count());
        Assert.Equal(result.Jobs.OrderByDescending(j => j.Created).Select(j => j.JobId), result.Jobs.Select(j => j.JobId));
        Assert.Equal(2, harness.Emulator.Requests.Count(r => r.QueryString.Contains("pageToken=", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(3, 3)]
    [InlineData(5, 2)]
    [InlineData(7, 1)]
    [InlineData(1000, 1)]
    public async Task List_paging_returns_each_job_once_for_any_page_size(int pageSize, int expectedPages)
    {
        await using var harness = await Start(clientPageSize: pageSize);
        for (var i = 0; i < 7; i++)
        {
            // Pairs of jobs share a creation time, so the page cursor must break ties.
            harness.Emulator.AddJob(Job($"job_{i}", T0.AddSeconds(-(i / 2))));
        }

        var result = await harness.Client.List(Query(), None);

        Assert.Equal(expectedPages, result.Pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"job_{i}"), result.Jobs.Select(j => j.JobId));
    }

    [Fact]
    public async Task List_page_size_is_capped_by_the_emulator()
    {
        await using var harness = await Start(maxPageSize: 2, clientPageSize: 1000);
        for (var i = 0; i < 5; i++)
        {
            harness.Emulator.AddJob(Job($"job_{i}", T0.AddSeconds(-i)));
        }

        var result = await harness.Client.List(Query(), None);

        Assert.Equal(3, result.Pages);
        Assert.Equal(5, result.Jobs.Count);
    }

    [Fact]
    public async Task List_all_users_false_returns_only_the_callers_jobs()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("mine", T0));
        harness.Emulator.AddJob(Job("theirs", T0.AddSeconds(-1), user: OtherUser));

        var mine = await harness.Client.List(Query(allUsers: false), None);
        var everyone = await harness.Client.List(Query(allUsers: true), None);

        Assert.Equal("mine", Assert.Single(mine.Jobs).JobId);
        Assert.Equal(["mine", "theirs"], everyone.Jobs.Select(j => j.JobId));
    }

    [Fact]
    public async Task List_all_users_without_list_all_permission_is_403_access_denied()
    {
        await using var harness = await Start(mayListAllUsers: false);
        harness.Emulator.AddJob(Job("mine", T0));

        var error = await Assert.ThrowsAsync<BigQueryException>(() => harness.Client.List(Query(allUsers: true), None));
        var mine = await harness.Client.List(Query(allUsers: false), None);

        Assert.Equal(403, error.Status);
        Assert.Equal("accessDenied", error.Reason);
        Assert.True(error.IsAccessDenied);
        Assert.Contains("bigquery.jobs.listAll", error.Message, StringComparison.Ordinal);
        Assert.Single(mine.Jobs);
    }

    [Fact]
    public async Task List_with_projection_full_reports_job_types()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("q", T0, type: EmulatedJobType.Query));
        harness.Emulator.AddJob(Job("l", T0.AddSeconds(-1), type: EmulatedJobType.Load));
        harness.Emulator.AddJob(Job("c", T0.AddSeconds(-2), type: EmulatedJobType.Copy));
        harness.Emulator.AddJob(Job("e", T0.AddSeconds(-3), type: EmulatedJobType.Extract));
        harness.Emulator.AddJob(Job("u", T0.AddSeconds(-4), type: EmulatedJobType.Unknown));

        var result = await harness.Client.List(Query(), None);

        Assert.Equal(
            [JobType.Query, JobType.Load, JobType.Copy, JobType.Extract, JobType.Unknown],
            result.Jobs.Select(j => j.Type));
    }

    [Fact]
    public async Task List_reports_jobs_of_every_location_and_unreachable_locations()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("us", T0, "US"));
        harness.Emulator.AddJob(Job("eu", T0.AddSeconds(-1), "EU"));
        harness.Emulator.AddJob(Job("central", T0.AddSeconds(-2), "us-central1"));
        harness.Emulator.AddJob(Job("tokyo", T0.AddSeconds(-3), "asia-northeast1"));

        var reachable = await harness.Client.List(Query(), None);
        harness.Emulator.SetUnreachable("asia-northeast1");
        var partial = await harness.Client.List(Query(), None);

        Assert.Equal(["US", "EU", "us-central1", "asia-northeast1"], reachable.Jobs.Select(j => j.Location));
        Assert.All(reachable.Jobs, j => Assert.Equal(Project, j.ProjectId));
        Assert.Empty(reachable.Unreachable);
        Assert.Equal(["us", "eu", "central"], partial.Jobs.Select(j => j.JobId));
        Assert.Equal(["asia-northeast1"], partial.Unreachable);
    }

    [Fact]
    public async Task List_of_a_project_without_jobs_is_empty()
    {
        await using var harness = await Start();

        var result = await harness.Client.List(Query(), None);

        Assert.Empty(result.Jobs);
        Assert.Equal(1, result.Pages);
    }

    [Fact]
    public async Task Get_applies_the_location_rules()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("us_job", T0, "US"));
        harness.Emulator.AddJob(Job("eu_job", T0, "EU"));
        harness.Emulator.AddJob(Job("central_job", T0, "us-central1"));
        var client = harness.Client;

        Assert.Equal("US", (await client.Get(Project, "us_job", null, None))?.Location);
        Assert.NotNull(await client.Get(Project, "us_job", "US", None));
        Assert.NotNull(await client.Get(Project, "eu_job", "eu", None));
        Assert.Null(await client.Get(Project, "eu_job", "US", None));
        Assert.Null(await client.Get(Project, "central_job", null, None));
        Assert.Null(await client.Get(Project, "central_job", "", None));
        Assert.Null(await client.Get(Project, "central_job", "us-east1", None));
        var central = await client.Get(Project, "central_job", "us-central1", None);
        Assert.Equal(new JobSnapshot(Project, "central_job", "us-central1", JobState.Pending, JobType.Load, T0), central);
        Assert.Null(await client.Get(Project, "no_such_job", "US", None));
    }

    [Fact]
    public async Task A_failed_done_job_carries_its_error_reason()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("bad", T0, "EU") with { ErrorReason = "invalid", ErrorMessage = "Error while reading data" });
        harness.Emulator.AddJob(Job("good", T0.AddSeconds(-1), "EU"));
        harness.Now = T0.AddHours(1);

        var listed = await harness.Client.List(Query([JobState.Done]), None);
        var got = await harness.Client.Get(Project, "bad", "EU", None);

        Assert.Equal([("bad", "invalid"), ("good", null)], listed.Jobs.Select(j => (j.JobId, j.ErrorReason)));
        Assert.Equal(JobState.Done, got?.State);
        Assert.Equal("invalid", got?.ErrorReason);
    }

    [Fact]
    public async Task An_unknown_project_is_404_for_list_and_null_for_get()
    {
        await using var harness = await Start();

        var error = await Assert.ThrowsAsync<BigQueryException>(() => harness.Client.List(Query(project: "nope"), None));
        var got = await harness.Client.Get("nope", "job", null, None);

        Assert.Equal(404, error.Status);
        Assert.Equal("notFound", error.Reason);
        Assert.Contains("Not found: Project nope", error.Message, StringComparison.Ordinal);
        Assert.Null(got);
    }

    [Theory]
    [InlineData(EmulatorRoutes.List, 500, "backendError")]
    [InlineData(EmulatorRoutes.List, 429, "rateLimitExceeded")]
    [InlineData(EmulatorRoutes.Get, 500, "backendError")]
    [InlineData(EmulatorRoutes.Get, 429, "rateLimitExceeded")]
    [InlineData(EmulatorRoutes.Get, 403, "quotaExceeded")]
    public async Task Injected_failures_surface_with_status_and_reason(string route, int status, string reason)
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0));
        harness.Emulator.FailNext(route, status, reason, message: "try later");

        Task Call() => route == EmulatorRoutes.List
            ? harness.Client.List(Query(), None)
            : harness.Client.Get(Project, "job", "US", None);

        var error = await Assert.ThrowsAsync<BigQueryException>(Call);
        Assert.Equal(status, error.Status);
        Assert.Equal(reason, error.Reason);
        Assert.Contains("try later", error.Message, StringComparison.Ordinal);

        await Call(); // The fault fired once and is gone.
        Assert.Equal([status, 200], harness.Emulator.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task An_html_error_page_gives_its_text_and_no_reason()
    {
        await using var harness = await Start();
        harness.Emulator.FailNextWithBody(EmulatorRoutes.List, 502, "text/html", "<html><body>Bad Gateway</body></html>");

        var error = await Assert.ThrowsAsync<BigQueryException>(() => harness.Client.List(Query(), None));

        Assert.Equal(502, error.Status);
        Assert.Null(error.Reason);
        Assert.Contains("Bad Gateway", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EmulatorRoutes.List)]
    [InlineData(EmulatorRoutes.Get)]
    public async Task A_dropped_connection_is_a_transport_failure(string route)
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0));
        harness.Emulator.DropNext(route);

        var error = await Assert.ThrowsAsync<BigQueryException>(() => route == EmulatorRoutes.List
            ? harness.Client.List(Query(), None)
            : harness.Client.Get(Project, "job", null, None));

        Assert.Equal(0, error.Status);
        Assert.Null(error.Reason);
        Assert.Equal(0, Assert.Single(harness.Emulator.Requests).Status);
    }

    [Fact]
    public async Task A_slow_emulator_past_the_http_timeout_is_a_transport_failure_but_caller_cancellation_is_not()
    {
        await using var harness = await Start(httpTimeout: TimeSpan.FromMilliseconds(200));
        harness.Emulator.Latency = TimeSpan.FromSeconds(2);

        var timeout = await Assert.ThrowsAsync<BigQueryException>(() => harness.Client.List(Query(), None));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var cancelled = await Record.ExceptionAsync(() => harness.Client.Get(Project, "job", null, cancel.Token));

        Assert.Equal(0, timeout.Status);
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled);
    }

    [Fact]
    public async Task Job_states_follow_the_emulator_clock()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0, "us-central1")); // running at +1 min, done at +2 min

        async Task<(JobState? Got, int Active)> Observe(TimeSpan at)
        {
            harness.Now = T0 + at;
            var got = await harness.Client.Get(Project, "job", "us-central1", None);
            var active = await harness.Client.List(Query([JobState.Pending, JobState.Running]), None);
            return (got?.State, active.Jobs.Count);
        }

        Assert.Equal((JobState.Pending, 1), await Observe(TimeSpan.Zero));
        Assert.Equal((JobState.Pending, 1), await Observe(TimeSpan.FromSeconds(59.999)));
        Assert.Equal((JobState.Running, 1), await Observe(TimeSpan.FromMinutes(1)));
        Assert.Equal((JobState.Done, 0), await Observe(TimeSpan.FromMinutes(2)));
        Assert.Equal((JobState.Done, 0), await Observe(TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task Mutation_helpers_change_and_remove_jobs()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0) with { RunningAt = null, DoneAt = null });

        Assert.Equal(JobState.Pending, (await harness.Client.Get(Project, "job", null, None))?.State);
        harness.Emulator.SetJobState(Project, "job", EmulatedJobState.Running);
        Assert.Equal(JobState.Running, (await harness.Client.Get(Project, "job", null, None))?.State);
        harness.Emulator.SetJobState(Project, "job", EmulatedJobState.Done, "backendError");
        Assert.Equal("backendError", (await harness.Client.Get(Project, "job", null, None))?.ErrorReason);
        harness.Emulator.UpdateJob(Project, "job", job => job with { ErrorReason = null });
        Assert.Null((await harness.Client.Get(Project, "job", null, None))?.ErrorReason);
        Assert.True(harness.Emulator.RemoveJob(Project, "job"));
        Assert.Null(await harness.Client.Get(Project, "job", null, None));
        Assert.False(harness.Emulator.RemoveJob(Project, "job"));
    }

    [Fact]
    public async Task The_request_log_counts_calls_until_reset()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0));

        await harness.Client.List(Query([JobState.Done]), None);
        await harness.Client.Get(Project, "job", "US", None);
        await harness.Client.Get(Project, "job", null, None);

        Assert.Equal(1, harness.Emulator.ListCalls);
        Assert.Equal(2, harness.Emulator.GetCalls);
        var get = harness.Emulator.Requests[1];
        Assert.Equal(new EmulatorRequest(EmulatorRoutes.Get, Project, "job", "?prettyPrint=false&location=US", 200), get);
        harness.Emulator.ResetCounters();
        Assert.Equal(0, harness.Emulator.ListCalls);
        Assert.Equal(0, harness.Emulator.GetCalls);
        Assert.Empty(harness.Emulator.Requests);
    }

    [Fact]
    public async Task The_client_reaches_the_emulator_through_BIGQUERY_EMULATOR_HOST()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0));
        var environment = new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = harness.Emulator.HostAndPort };
        var baseUrl = JobsRestClient.BaseUrlFrom(environment);
        var client = new JobsRestClient(harness.Http, baseUrl);

        var result = await client.List(Query(), None);

        Assert.Equal(harness.Emulator.BaseUrl.AbsoluteUri, baseUrl);
        Assert.Equal("job", Assert.Single(result.Jobs).JobId);
    }
}
