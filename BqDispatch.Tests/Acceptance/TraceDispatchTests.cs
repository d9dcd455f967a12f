using Xunit;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;

namespace BqDispatch.Tests.Acceptance;

/// <summary>Reference §8.5, trace-file dispatch T1–T13, with the [PORT] behaviour.</summary>
public abstract class TraceDispatchTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string LoadTrace = "proj:p1:US/ds.t--123_00001_load--dispatch";
    private const string LoadJob = "ds_t--123_00001_load--dispatch";
    private const string LoadDestination = "trig/_bqjob_/2023-11-14_22/proj:p1:US/ds_t--123_00001_load--dispatch.json";

    [Fact]
    public async Task T1_a_done_job_is_handed_off()
    {
        await using var f = await Fixture();
        var trace = f.Trace(LoadTrace, TimeSpan.FromSeconds(10));
        var content = f.Read(trace.Url);
        f.Job("p1", LoadJob, EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);

        var status = await f.Run();

        Assert.False(f.Store.Exists(trace.Url));
        Assert.Equal(content, f.Read(f.Url(LoadDestination)));
        Assert.Equal(new JobEntry(LoadJob, trace.Url, "DONE"), status.Jobs[trace.Url]);
        Assert.Equal(1, status.Performance["p1"].Dispatched.LoadJobs);
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Totals.HandedOff);
    }

    [Fact]
    public async Task T2_a_failed_job_is_still_handed_off()
    {
        await using var f = await Fixture();
        var trace = f.Trace(LoadTrace, TimeSpan.FromSeconds(10));
        f.Job("p1", LoadJob, EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created, errorReason: "invalid");

        var status = await f.Run();

        Assert.True(f.Store.Exists(f.Url(LoadDestination)));
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Equal(StatusDocument.Ok, status.Status);
    }

    [Fact]
    public async Task T3_running_and_pending_jobs_are_left_and_counted()
    {
        await using var f = await Fixture();
        var query = f.Trace("proj:p1:US/ds.q--1_00001_query--dispatch", TimeSpan.FromSeconds(10));
        var load = f.Trace("proj:p1:US/ds.l--2_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_q--1_00001_query--dispatch", EmulatedJobType.Query, EmulatedJobState.Running, created: query.Created);
        f.Job("p1", "ds_l--2_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Pending, created: load.Created);

        var status = await f.Run();

        Assert.True(f.Store.Exists(query.Url));
        Assert.True(f.Store.Exists(load.Url));
        var p1 = status.Performance["p1"];
        Assert.Equal(2, p1.Count);
        Assert.Equal(1, p1.Running.QueryJobs);
        Assert.Equal(1, p1.Pending.LoadJobs);
        Assert.Empty(status.Jobs);
    }

    [Fact]
    public async Task T4_a_trace_younger_than_the_think_time_waits_for_a_later_cycle()
    {
        await using var f = await Fixture();
        var trace = f.Trace(LoadTrace, TimeSpan.FromMilliseconds(500));
        f.Job("p1", LoadJob, EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);

        await f.Run(maxCycles: 1);
        Assert.True(f.Store.Exists(trace.Url));

        var status = await f.Run(maxCycles: 2);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Equal(2, status.Cycles);
        Assert.Single(status.Jobs);
    }

    [Fact]
    public async Task T5_a_job_missing_from_the_listing_is_looked_up_with_its_location()
    {
        await using var f = await Fixture(new { ListAllUsers = false });
        var trace = f.Trace("proj:p1:us-central1/ds.t--5_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--5_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done,
            location: "us-central1", created: trace.Created, user: "bqtail@other.iam.gserviceaccount.com");

        var status = await f.Run();

        Assert.Equal(1, status.GetCount);
        var get = Assert.Single(f.BigQuery.Requests, r => r.Route == EmulatorRoutes.Get);
        Assert.Contains("location=us-central1", get.QueryString, StringComparison.Ordinal);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.True(f.Store.Exists(f.Url("trig/_bqjob_/2023-11-14_22/proj:p1:us-central1/ds_t--5_00001_load--dispatch.json")));
    }

    [Fact]
    public async Task T5_a_job_older_than_the_look_back_is_looked_up()
    {
        await using var f = await Fixture();
        var trace = f.Trace(LoadTrace, TimeSpan.FromHours(7));
        f.Job("p1", LoadJob, EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);

        var status = await f.Run();

        Assert.Equal(1, status.GetCount);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.True(f.Store.Exists(f.Url("trig/_bqjob_/2023-11-14_15/proj:p1:US/ds_t--123_00001_load--dispatch.json")));
    }

    [Fact]
    public async Task T6_a_job_bigquery_does_not_know_is_counted_and_left()
    {
        await using var f = await Fixture();
        var trace = f.Trace(LoadTrace, TimeSpan.FromSeconds(10));

        var status = await f.Run(maxCycles: 2);

        Assert.True(f.Store.Exists(trace.Url));
        Assert.Equal(1, status.Performance["p1"].NoFound);
        Assert.Equal(2, status.GetCount);
        Assert.Equal(StatusDocument.Ok, status.Status);
    }

    [Fact]
    public async Task T6_an_orphan_trace_is_evicted_to_the_error_url_after_its_ttl()
    {
        await using var f = await Fixture(new { OrphanTraceTtlHours = 24 });
        var young = f.Trace("proj:p1:US/ds.y--7_00001_load--dispatch", TimeSpan.FromHours(23));
        var old = f.Trace(LoadTrace, TimeSpan.FromHours(25));
        var content = f.Read(old.Url);

        var status = await f.Run();

        Assert.True(f.Store.Exists(young.Url));
        Assert.False(f.Store.Exists(old.Url));
        var evicted = f.Errors + "orphans/" + LoadTrace;
        Assert.Equal(content, f.Read(evicted));
        Assert.Contains("does not know job " + LoadJob, f.Read(evicted + ".err"), StringComparison.Ordinal);
        Assert.Equal(1, status.Totals.Evicted);
        Assert.Empty(status.Jobs);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, true)]
    [InlineData(2, false)]
    [InlineData(0, true)]
    public async Task T7_query_throttle_admits_while_fewer_than_the_limit_are_active(int maxConcurrentSql, bool moved)
    {
        await using var f = await Fixture(new { MaxConcurrentSQL = maxConcurrentSql });
        var c = f.Trace("proj:p1:US/ds.c--3_00001_query--dispatch", TimeSpan.FromSeconds(30));
        var b = f.Trace("proj:p1:US/ds.b--2_00001_query--dispatch", TimeSpan.FromSeconds(20));
        var a = f.Trace("proj:p1:US/ds.a--1_00001_query--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_c--3_00001_query--dispatch", EmulatedJobType.Query, EmulatedJobState.Done, created: c.Created);
        f.Job("p1", "ds_b--2_00001_query--dispatch", EmulatedJobType.Query, EmulatedJobState.Running, created: b.Created);
        f.Job("p1", "ds_a--1_00001_query--dispatch", EmulatedJobType.Query, EmulatedJobState.Running, created: a.Created);

        var status = await f.Run();

        Assert.Equal(!moved, f.Store.Exists(c.Url));
        Assert.Equal(moved ? 0 : 1, status.Performance["p1"].Throttled.QueryJobs);
        Assert.Equal(moved ? 1 : 0, status.Performance["p1"].Dispatched.QueryJobs);
        Assert.Equal(StatusDocument.Ok, status.Status);
    }

    [Fact]
    public async Task T8_load_throttle_holds_load_and_reload_but_never_copy_or_export()
    {
        await using var f = await Fixture(new { MaxConcurrentLoad = 1 });
        f.Job("p1", "running_load", EmulatedJobType.Load, EmulatedJobState.Running);
        var traces = new[] { ("load", EmulatedJobType.Load), ("reload", EmulatedJobType.Load), ("copy", EmulatedJobType.Copy), ("export", EmulatedJobType.Extract) }
            .Select((a, i) =>
            {
                var trace = f.Trace($"proj:p1:US/ds.t--{i}_00001_{a.Item1}--dispatch", TimeSpan.FromSeconds(10));
                f.Job("p1", $"ds_t--{i}_00001_{a.Item1}--dispatch", a.Item2, EmulatedJobState.Done, created: trace.Created);
                return (Action: a.Item1, trace.Url);
            })
            .ToList();

        var status = await f.Run();

        foreach (var (action, url) in traces)
        {
            Assert.Equal(action is "load" or "reload", f.Store.Exists(url));
        }

        Assert.Equal(2, status.Performance["p1"].Throttled.LoadJobs);
        Assert.Equal(1, status.Performance["p1"].Dispatched.CopyJobs);
        Assert.Equal(1, status.Performance["p1"].Dispatched.OtherJobs);
    }

    [Fact]
    public async Task T9_a_legacy_root_trace_uses_the_configured_project_without_location()
    {
        await using var f = await Fixture();
        var trace = f.Trace("ds.t--9_00002_copy--dispatch", TimeSpan.FromSeconds(10));
        f.Job("cfgp", "ds_t--9_00002_copy--dispatch", EmulatedJobType.Copy, EmulatedJobState.Done, created: trace.Created);

        var status = await f.Run();

        Assert.True(f.Store.Exists(f.Url("trig/_bqjob_/2023-11-14_22/proj:cfgp:/ds_t--9_00002_copy--dispatch.json")));
        Assert.All(f.BigQuery.Requests, r => Assert.Equal("cfgp", r.Project));
        Assert.Equal(1, status.Performance["cfgp"].Dispatched.CopyJobs);
    }

    [Fact]
    public async Task T10_a_failed_move_is_reported_and_retried_by_the_next_run()
    {
        await using var f = await Fixture();
        var trace = f.Trace(LoadTrace, TimeSpan.FromSeconds(10));
        f.Job("p1", LoadJob, EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        f.Store.BeforeOperation = (operation, url) => operation == StoreOperation.Copy
            ? throw new StorageException(url, 403, "Access denied: storage.objects.create")
            : Task.CompletedTask;

        var failed = await f.RunChained();

        Assert.True(f.Store.Exists(trace.Url));
        Assert.Equal(StatusDocument.Failed, failed.Status);
        Assert.Contains("Access denied", Assert.Single(failed.Errors), StringComparison.Ordinal);

        // Its claim is its own (the chain remembers the failure): no wait for the claim to run out.
        f.Store.BeforeOperation = null;
        var retried = await f.RunChained();
        Assert.Equal(StatusDocument.Ok, retried.Status);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.True(f.Store.Exists(f.Url(LoadDestination)));
    }

    [Fact]
    public async Task T11_projects_are_listed_once_each_and_reported_with_their_region()
    {
        await using var f = await Fixture();
        var t1 = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        var t2 = f.Trace("proj:p2:EU/ds.t--2_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Running, created: t1.Created);
        f.Job("p2", "ds_t--2_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, location: "EU", created: t2.Created);

        var status = await f.Run();

        Assert.Equal("US", status.Performance["p1"].Region);
        Assert.Equal("EU", status.Performance["p2"].Region);
        Assert.Equal(1, status.Performance["p2"].Dispatched.LoadJobs);
        var lists = f.BigQuery.Requests.Where(r => r.Route == EmulatorRoutes.List).ToList();
        Assert.Single(lists, r => r.Project == "p1");
        Assert.Equal(2, lists.Count(r => r.Project == "p2"));
        Assert.Equal(0, status.GetCount);
    }

    [Fact]
    public async Task T12_a_failing_project_folder_does_not_stop_the_others()
    {
        await using var f = await Fixture();
        var t1 = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        var t2 = f.Trace("proj:p2:EU/ds.t--2_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: t1.Created);
        f.Job("p2", "ds_t--2_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, location: "EU", created: t2.Created);
        f.Store.BeforeOperation = (operation, url) => operation == StoreOperation.List && url.Contains("proj:p2", StringComparison.Ordinal)
            ? throw new StorageException(url, 503, "Service Unavailable")
            : Task.CompletedTask;

        var status = await f.Run();

        Assert.False(f.Store.Exists(t1.Url));
        Assert.True(f.Store.Exists(t2.Url));
        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Contains("proj:p2:EU", Assert.Single(status.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task T13_a_root_listing_error_fails_the_run()
    {
        await using var f = await Fixture();
        f.Store.BeforeOperation = (operation, url) => operation == StoreOperation.List
            ? throw new StorageException(url, 403, "Access denied")
            : Task.CompletedTask;

        var status = await f.Run(maxCycles: 5);

        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Contains("Access denied", status.Error, StringComparison.Ordinal);
        Assert.Equal(1, status.Cycles);
    }
}

public sealed class TraceDispatchOnMemory() : TraceDispatchTests(StorageKind.Memory);

public sealed class TraceDispatchOnCloudStorage() : TraceDispatchTests(StorageKind.CloudStorage);
