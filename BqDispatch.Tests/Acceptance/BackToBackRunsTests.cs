using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// The self-hosted service (issue 9, §3): runs follow each other with only the cycle pause between them, carry their
/// memory over, and stop after the cycle in flight.
/// </summary>
public abstract class BackToBackRunsTests(StorageKind kind) : AcceptanceTests(kind)
{
    [Fact]
    public async Task Runs_follow_each_other_with_no_longer_gap_than_the_cycle_pause()
    {
        await using var f = await Fixture(new { TimeToLiveInMin = 1 });
        var settings = RunSettings.From(f.Config);
        using var stop = new CancellationTokenSource();
        var cycles = new List<DateTimeOffset>();
        var runs = new List<StatusDocument>();
        var chain = Runs(() => Engine(f, f.Activities(), _ => cycles.Add(f.Clock.UtcNow), stop.Token), settings, f.Clock);

        await chain.Run(Stopping(runs, count: 3, stop), e => throw e, stop.Token);

        // Each run spends its 55 s budget in cycles 3 s apart; the next run's first cycle comes one pause after.
        Assert.Equal([19, 19, 19], runs.Select(r => r.Cycles));
        Assert.Equal(57, cycles.Count);
        Assert.All(cycles.Zip(cycles.Skip(1), (a, b) => b - a), gap => Assert.Equal(settings.Pause, gap));
    }

    [Fact]
    public async Task A_trace_handed_off_by_one_run_is_not_handed_off_by_the_next_when_a_listing_still_shows_it()
    {
        await using var f = await Fixture();
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
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
        var stale = DispatchActivities.Create(f.Config, new StaleListingStore(f.Store), new JobsRestClient(http, f.BigQuery.BaseUrl.ToString()));
        using var stop = new CancellationTokenSource();
        var runs = new List<StatusDocument>();
        var chain = Runs(() => Engine(f, stale, _ => { }, stop.Token), RunSettings.From(f.Config, maxCycles: 2), f.Clock);

        await chain.Run(Stopping(runs, count: 2, stop), e => throw e, stop.Token);

        Assert.Equal(1, copies);
        Assert.Equal([1, 0], runs.Select(r => r.Totals.HandedOff));
        Assert.All(runs, r => Assert.Equal(StatusDocument.Ok, r.Status));
    }

    [Fact]
    public async Task Stopping_ends_the_chain_after_the_cycle_in_flight()
    {
        await using var f = await Fixture(new { TimeToLiveInMin = 1 });
        using var stop = new CancellationTokenSource();
        var cycles = 0;
        var runs = new List<StatusDocument>();
        var chain = Runs(
            () => Engine(f, f.Activities(), _ => { if (++cycles == 19 + 5) { stop.Cancel(); } }, stop.Token),
            RunSettings.From(f.Config),
            f.Clock);

        await chain.Run(status => { runs.Add(status); return Task.CompletedTask; }, e => throw e, stop.Token);

        Assert.Equal([19, 5], runs.Select(r => r.Cycles));
    }

    private static BackToBackRuns Runs(Func<IDispatchEngine> engine, RunSettings settings, IClock clock) =>
        new(carried => DispatchRun.Continue(engine(), settings, carried), settings.Pause, clock);

    private static InProcessEngine Engine(DispatchFixture f, DispatchActivities activities, Action<string> cycleDone, CancellationToken stop) =>
        new(activities, f.Throttles, f.Clock, cycleDone, stop);

    private static Func<StatusDocument, Task> Stopping(List<StatusDocument> runs, int count, CancellationTokenSource stop) => status =>
    {
        runs.Add(status);
        if (runs.Count == count)
        {
            stop.Cancel();
        }

        return Task.CompletedTask;
    };
}

public sealed class BackToBackRunsOnMemory() : BackToBackRunsTests(StorageKind.Memory);

public sealed class BackToBackRunsOnCloudStorage() : BackToBackRunsTests(StorageKind.CloudStorage);
