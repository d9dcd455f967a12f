using System.Text;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Google;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// Faults injected in the emulators under full dispatch runs through the real clients and the retry policy:
/// nothing is lost, nothing is handed off twice, and what retries could not absorb is in the status document.
/// </summary>
public sealed class CloudStorageFaultTests
{
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeSeconds(1700000000);

    private static async Task<(DispatchFixture Fixture, CloudStorageEmulator Storage, List<(string Trace, string Destination)> Traces, List<string> Windows)> Seeded(
        int traces, int windows, RetryPolicy? retry = null, long rewriteChunkBytes = 0)
    {
        var f = await DispatchFixture.Create(StorageKind.CloudStorage, null, End + TimeSpan.FromSeconds(30), retry, rewriteChunkBytes);
        var seeded = new List<(string, string)>();
        var content = Encoding.UTF8.GetBytes("{\"Action\":\"load\"," + new string('x', 1000) + "}");
        for (var i = 0; i < traces; i++)
        {
            var trace = f.Store.Seed($"{f.Tasks}proj:p1:US/ds.t{i}--{i}_00001_load--dispatch", content, f.Clock.UtcNow - TimeSpan.FromSeconds(10 + i));
            f.Job("p1", $"ds_t{i}--{i}_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
            seeded.Add((trace.Url, f.Url($"trig/_bqjob_/{trace.Created.UtcDateTime:yyyy-MM-dd_HH}/proj:p1:US/ds_t{i}--{i}_00001_load--dispatch.json")));
        }

        var seededWindows = Enumerable.Range(0, windows)
            .Select(i => f.Object($"{f.Tasks}ds.w_{i}_1700000000.win", "{\"window\":" + i + "}", TimeSpan.FromMinutes(1)).Url)
            .ToList();
        return (f, ((CloudStorageTestStorage)f.Store).Emulator, seeded, seededWindows);
    }

    private static void AssertExactlyOnce(DispatchFixture f, List<(string Trace, string Destination)> traces, List<string> windows)
    {
        foreach (var (trace, destination) in traces)
        {
            Assert.False(f.Store.Exists(trace), trace);
            Assert.Equal(1, f.Store.CreationCount(destination));
        }

        foreach (var window in windows)
        {
            Assert.Equal(1, f.Store.CreationCount(f.Url("trig/_batch_/" + window[f.Tasks.Length..])));
            Assert.True(f.Store.Exists(window[..^4] + ".wis"));
        }
    }

    [Fact]
    public async Task Storms_lost_responses_and_multi_round_rewrites_end_in_exactly_one_hand_off_each()
    {
        var (f, storage, traces, windows) = await Seeded(traces: 30, windows: 6, rewriteChunkBytes: 256);
        await using var _ = f;
        foreach (var route in StorageRoutes.All)
        {
            storage.ErrorRate(route, 0.25, route == StorageRoutes.Rewrite ? 429 : 503, seed: route.Length);
        }

        storage.DropAfterCommit(StorageRoutes.Rewrite, 3);
        storage.DropAfterCommit(StorageRoutes.Delete, 3);
        storage.DropAfterCommit(StorageRoutes.Upload, 2);
        f.BigQuery.FailNext(EmulatorRoutes.List, 503, "backendError", 2);
        using var http = new HttpClient(new RetryHandler(CloudStorageTestStorage.FastRetry) { InnerHandler = new SocketsHttpHandler() });
        var activities = DispatchActivities.Create(f.Config, f.Store, new JobsRestClient(http, f.BigQuery.BaseUrl.ToString()));

        StatusDocument status;
        var runs = 0;
        do
        {
            status = await f.Run(activities, maxCycles: 2);
            runs++;
        }
        while ((status.Totals.Backlog > 0 || status.Status != StatusDocument.Ok) && runs < 5);

        AssertExactlyOnce(f, traces, windows);
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Contains(storage.Requests, r => r.Route == StorageRoutes.Rewrite && r.QueryString.Contains("rewriteToken", StringComparison.Ordinal));
        Assert.Contains(storage.Requests, r => r.Status is 429 or 503);
    }

    [Fact]
    public async Task Faults_beyond_the_retry_budget_are_reported_and_the_next_run_finishes_the_work()
    {
        var (f, storage, traces, windows) = await Seeded(traces: 3, windows: 1);
        await using var _ = f;
        storage.FailNext(StorageRoutes.Rewrite, 503, "backendError", count: 100);

        var failed = await f.RunChained();

        Assert.Equal(StatusDocument.Failed, failed.Status);
        Assert.Contains(failed.Errors, e => e.Contains("hand-off of", StringComparison.Ordinal) && e.Contains("503", StringComparison.Ordinal));
        Assert.Contains(failed.Errors, e => e.Contains("firing window", StringComparison.Ordinal));
        Assert.All(traces, t => Assert.True(f.Store.Exists(t.Trace)));

        storage.ClearFaults();
        var next = await f.RunChained();
        Assert.Equal(StatusDocument.Ok, next.Status);
        AssertExactlyOnce(f, traces, windows);
    }

    [Fact]
    public async Task Timeouts_fail_the_run_cleanly_and_a_later_run_completes_it()
    {
        var retry = CloudStorageTestStorage.FastRetry with { AttemptTimeout = TimeSpan.FromMilliseconds(150), MaxAttempts = 3 };
        var (f, storage, traces, windows) = await Seeded(traces: 2, windows: 1, retry);
        await using var _ = f;
        storage.Latency = TimeSpan.FromMilliseconds(600);

        var failed = await f.Run();

        Assert.Equal(StatusDocument.Failed, failed.Status);
        Assert.Contains("listing", failed.Error, StringComparison.Ordinal);
        Assert.All(traces, t => Assert.True(f.Store.Exists(t.Trace)));

        storage.Latency = TimeSpan.Zero;
        Assert.Equal(StatusDocument.Ok, (await f.Run()).Status);
        AssertExactlyOnce(f, traces, windows);
    }

    [Fact]
    public async Task Connections_dropped_during_copy_and_delete_neither_lose_nor_double_anything()
    {
        var (f, storage, traces, windows) = await Seeded(traces: 8, windows: 2);
        await using var _ = f;
        storage.DropNext(StorageRoutes.Rewrite, 4);
        storage.DropNext(StorageRoutes.Delete, 4);
        storage.DropAfterCommit(StorageRoutes.Rewrite, 2);
        storage.DropAfterCommit(StorageRoutes.Delete, 2);

        var status = await f.Run();

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(8, status.Totals.HandedOff + status.Totals.AlreadyHandedOff);
        AssertExactlyOnce(f, traces, windows);
    }
}
