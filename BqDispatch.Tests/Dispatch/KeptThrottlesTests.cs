using System.Text;
using System.Text.Json;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Throttling;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

/// <summary>A self-hosted dispatcher's throttles in JournalURL/throttle.json: written before admitted work goes, read back whole.</summary>
public sealed class KeptThrottlesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Reservations_are_kept_before_the_work_they_admitted_is_handed_off()
    {
        await using var f = await DispatchFixture.Create(StorageKind.Memory, new { MaxConcurrentLoad = 1 });
        var trace = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", TimeSpan.FromMinutes(1));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        var stateUrl = f.Journal + ProjectThrottles.StateFile;
        var throttles = await ProjectThrottles.Load(f.Store, stateUrl, CancellationToken.None);
        string? keptAtClaim = null;
        f.Store.BeforeOperation = (operation, url) =>
        {
            if (operation == StoreOperation.Claim && url == trace.Url)
            {
                keptAtClaim = f.Read(stateUrl);
            }

            return Task.CompletedTask;
        };

        var engine = new InProcessEngine(f.Activities(), throttles, f.Clock, _ => { }, CancellationToken.None);
        var status = await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 1));

        Assert.Equal(1, status.Totals.HandedOff);
        Assert.NotNull(keptAtClaim);
        var kept = StatusJson(keptAtClaim);
        Assert.Equal([trace.Url], kept["p1"].Reservations.Select(r => r.Key));
    }

    [Fact]
    public async Task Kept_throttles_read_back_whole_and_are_written_only_when_they_change()
    {
        var store = Store();
        var throttles = await ProjectThrottles.Load(store, StateUrl, CancellationToken.None);
        var request = new AdmissionRequest(T0, ObservedJobs.None, new ThrottleLimits(0, 3), TimeSpan.FromMinutes(2),
            [new AdmissionCandidate("a", JobKind.Load, "backfill"), new AdmissionCandidate("b", JobKind.Load)],
            Lanes: [new Lane("backfill", 4000, ThrottleLimits.None, When: new LaneWhen(Dest: "b.*"))]);

        Assert.Null(await throttles.Persist(CancellationToken.None));
        Assert.False(await Exists(store));
        throttles.Admit("p1", request);
        Assert.Null(await throttles.Persist(CancellationToken.None));
        var written = await Generation(store);
        Assert.Null(await throttles.Persist(CancellationToken.None));
        Assert.Equal(written, await Generation(store));

        var restored = await ProjectThrottles.Load(store, StateUrl, CancellationToken.None);

        Assert.Equal(throttles.Reservations()["p1"], restored.Reservations()["p1"]);
        Assert.Equal(["main", "backfill"], restored.Reservations()["p1"].Select(r => r.Lane));
        Assert.Equal(["c"], restored.Admit("p1", request with { Candidates = [new AdmissionCandidate("c", JobKind.Load), new AdmissionCandidate("d", JobKind.Load)] }).Admitted);
        Assert.Null(await restored.Persist(CancellationToken.None));
        Assert.NotEqual(written, await Generation(store));
    }

    [Fact]
    public async Task A_state_that_is_not_a_throttle_state_is_refused_naming_the_file()
    {
        var store = Store();
        await store.Put(StateUrl, Encoding.UTF8.GetBytes("{\"p1\": 7}"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<JsonException>(() => ProjectThrottles.Load(store, StateUrl, CancellationToken.None));

        Assert.StartsWith(StateUrl + " is not a throttle state:", error.Message, StringComparison.Ordinal);
    }

    private const string StateUrl = "mem://ops/Journal/throttle.json";

    private static MemoryStore Store()
    {
        var store = new MemoryStore();
        store.CreateBucket("ops");
        return store;
    }

    private static async Task<bool> Exists(MemoryStore store) =>
        (await store.List("mem://ops/Journal/", CancellationToken.None)).Objects.Count > 0;

    private static async Task<long> Generation(MemoryStore store) =>
        (await store.List("mem://ops/Journal/", CancellationToken.None)).Objects.Single().Generation;

    private static Dictionary<string, ProjectThrottle> StatusJson(string text) =>
        Core.Dispatch.Status.StatusJson.Deserialize<Dictionary<string, ProjectThrottle>>(text);
}
