using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>BigQuery misbehaves: nothing is handed off on a guess, the run says what happened, the next run catches up.</summary>
public abstract class BigQueryFaultTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string TraceName = "proj:p1:US/ds.t--1_00001_load--dispatch";
    private const string JobId = "ds_t--1_00001_load--dispatch";

    [Theory]
    [InlineData(500, "backendError")]
    [InlineData(429, "rateLimitExceeded")]
    [InlineData(403, "accessDenied")]
    public async Task A_failing_listing_leaves_the_traces_and_the_next_run_hands_them_off(int status, string reason)
    {
        await using var f = await Fixture(new { ListAllUsers = false });
        var trace = f.Trace(TraceName, TimeSpan.FromSeconds(10));
        f.Job("p1", JobId, EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        f.BigQuery.FailNext(EmulatorRoutes.List, status, reason);

        var failed = await f.Run();

        Assert.True(f.Store.Exists(trace.Url));
        Assert.Equal(StatusDocument.Failed, failed.Status);
        Assert.Contains("jobs.list failed", Assert.Single(failed.Errors), StringComparison.Ordinal);
        Assert.Equal(1, failed.Totals.Unresolved);
        Assert.Equal(0, f.BigQuery.GetCalls);

        var next = await f.Run();
        Assert.Equal(StatusDocument.Ok, next.Status);
        Assert.False(f.Store.Exists(trace.Url));
    }

    [Fact]
    public async Task A_dropped_jobs_get_leaves_the_trace_for_later()
    {
        await using var f = await Fixture();
        var trace = f.Trace(TraceName, TimeSpan.FromHours(8));
        f.Job("p1", JobId, EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        f.BigQuery.DropNext(EmulatorRoutes.Get);

        var failed = await f.Run();

        Assert.True(f.Store.Exists(trace.Url));
        Assert.Contains("jobs.get failed", Assert.Single(failed.Errors), StringComparison.Ordinal);
        Assert.Equal(0, failed.Performance["p1"].NoFound);

        Assert.Equal(StatusDocument.Ok, (await f.Run()).Status);
        Assert.False(f.Store.Exists(trace.Url));
    }

    [Fact]
    public async Task Without_permission_to_list_all_users_the_dispatcher_lists_its_own_jobs()
    {
        await using var f = await Fixture(new { ListAllUsers = true });
        await using var restricted = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions
        {
            Clock = () => f.Clock.UtcNow,
            CallerMayListAllUsers = false,
        });
        var trace = f.Trace(TraceName, TimeSpan.FromSeconds(10));
        restricted.AddJob(new EmulatedJob("p1", JobId, "US", EmulatedJobType.Load, restricted.Options.CallerEmail, trace.Created)
        {
            RunningAt = trace.Created,
            DoneAt = trace.Created,
        });
        using var http = new HttpClient();

        var status = await f.Run(Core.Dispatch.DispatchActivities.Create(f.Config, f.Store, new Core.BigQuery.JobsRestClient(http, restricted.BaseUrl.ToString())));

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.False(f.Store.Exists(trace.Url));
        Assert.Contains(restricted.Requests, r => r.Status == 403);
        Assert.Equal(0, status.GetCount);
    }

    [Fact]
    public async Task A_folder_full_of_malformed_windows_gives_a_bounded_error_list()
    {
        await using var f = await Fixture();
        for (var i = 0; i < 200; i++)
        {
            f.Object($"{f.Tasks}bad{i}.win", "{}", TimeSpan.FromMinutes(1));
        }

        var status = await f.Run();

        Assert.Equal(Core.Dispatch.TaskFolderScanner.MaxErrors, status.Errors.Count);
        Assert.Contains("181 more", status.Errors[^1], StringComparison.Ordinal);
    }
}

public sealed class BigQueryFaultsOnMemory() : BigQueryFaultTests(StorageKind.Memory);

public sealed class BigQueryFaultsOnCloudStorage() : BigQueryFaultTests(StorageKind.CloudStorage);
