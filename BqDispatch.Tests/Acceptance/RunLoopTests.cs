using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>Reference §8.5 L1–L3: the time budget, performance.json, no double move within a run.</summary>
public abstract class RunLoopTests(StorageKind kind) : AcceptanceTests(kind)
{
    [Fact]
    public async Task L1_a_run_spends_its_one_budget_in_cycles_three_seconds_apart()
    {
        await using var f = await Fixture(new { TimeToLiveInMin = 1 });

        var status = await f.Run(maxCycles: null);

        // Budget 55 s: cycles start at 0, 3, …, 54 s; none starts after the budget.
        Assert.Equal(19, status.Cycles);
        Assert.Equal(54_000, status.TimeTakenMs);
    }

    [Fact]
    public async Task L1_stopping_ends_the_run_after_the_cycle_in_flight()
    {
        await using var f = await Fixture();
        using var stop = new CancellationTokenSource();
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        f.Store.AfterOperation = (operation, _) =>
        {
            if (operation == StoreOperation.Copy)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        };

        var status = await f.Run(maxCycles: null, stop.Token);

        Assert.Equal(1, status.Cycles);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Single(status.Jobs);
    }

    [Fact]
    public async Task Detection_lag_is_measured_from_the_job_end_to_the_cycle_that_noticed_it()
    {
        await using var f = await Fixture();
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromMinutes(1));
        f.BigQuery.AddJob(new EmulatedJob("p1", "ds_t--1_00001_load--dispatch", "US", EmulatedJobType.Load, f.BigQuery.Options.CallerEmail, trace.Created)
        {
            RunningAt = trace.Created,
            DoneAt = f.Clock.UtcNow + TimeSpan.FromSeconds(4),
        });

        // Cycles start at 0, 3, 6 s: the job ends at 4 s and is noticed by the cycle at 6 s.
        var status = await f.Run(maxCycles: 3);

        Assert.Equal(1, status.Totals.HandedOff);
        Assert.Equal(2000, status.Totals.DetectionLagAvgMs);
        Assert.Equal(2000, status.Totals.DetectionLagMaxMs);
    }

    [Fact]
    public async Task Active_jobs_are_listed_while_the_project_folders_are_listed()
    {
        await using var f = await Fixture();
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Running, created: trace.Created);
        var overlapped = false;
        f.Store.BeforeOperation = async (operation, url) =>
        {
            if (operation == StoreOperation.List && url.Contains("proj:p1", StringComparison.Ordinal))
            {
                // Hold the folder listing until BigQuery has been asked, for at most 5 s: only an overlapping scan gets there.
                for (var waited = 0; waited < 5000 && f.BigQuery.ListCalls == 0; waited += 10)
                {
                    await Task.Delay(10);
                }

                overlapped = f.BigQuery.ListCalls > 0;
            }
        };

        var status = await f.Run();

        Assert.True(overlapped);
        Assert.Equal(1, status.Performance["p1"].Count);
        Assert.Equal(1, f.BigQuery.ListCalls);
    }

    [Fact]
    public async Task L2_performance_json_is_written_after_every_cycle_in_bqtail_format()
    {
        await using var f = await Fixture();
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        var writes = 0;
        f.Store.AfterOperation = (operation, url) =>
        {
            if (operation == StoreOperation.Put && url == f.Journal + "performance.json")
            {
                Interlocked.Increment(ref writes);
            }

            return Task.CompletedTask;
        };

        var status = await f.Run(maxCycles: 3);

        Assert.Equal(3, writes);
        var performance = StatusJson.Deserialize<Dictionary<string, Performance>>(f.Read(f.Journal + "performance.json"));
        Assert.Equal("p1", performance["p1"].ProjectID);
        Assert.Equal(1, performance["p1"].Dispatched.LoadJobs);
        Assert.Equal(status.Performance.Keys, performance.Keys);
        Assert.Contains("\"Dispatched\":{\"LoadJobs\":1}", f.Read(f.Journal + "performance.json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task L3_a_trace_that_reappears_in_a_stale_listing_is_not_handed_off_again()
    {
        await using var f = await Fixture();
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        var stale = new StaleListingStore(f.Store);
        var copies = 0;
        f.Store.BeforeOperation = (operation, _) =>
        {
            if (operation == StoreOperation.Copy)
            {
                Interlocked.Increment(ref copies);
            }

            return Task.CompletedTask;
        };

        using var http = new HttpClient();
        var jobs = new Core.BigQuery.JobsRestClient(http, f.BigQuery.BaseUrl.ToString());
        var status = await f.Run(DispatchActivities.Create(f.Config, stale, jobs), maxCycles: 3);

        Assert.Equal(1, copies);
        Assert.Equal(1, status.Totals.HandedOff);
        Assert.Equal(StatusDocument.Ok, status.Status);
    }
}

public sealed class RunLoopOnMemory() : RunLoopTests(StorageKind.Memory);

public sealed class RunLoopOnCloudStorage() : RunLoopTests(StorageKind.CloudStorage);
