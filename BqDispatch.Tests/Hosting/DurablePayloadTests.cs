using System.Text.Json;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Hosting;

/// <summary>
/// Every value that crosses the Durable boundary (orchestration input and output, activity inputs and results,
/// entity state, operation input and result, custom status) goes through System.Text.Json there, not through
/// the Newtonsoft settings of StatusJson. These tests run the flow with every such value round-tripped.
/// </summary>
public class DurablePayloadTests
{
    private static T RoundTrip<T>(T value) =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, DurableJson.Options), DurableJson.Options)!;

    [Fact]
    public void The_orchestration_input_survives_the_durable_serializer()
    {
        var settings = new RunSettings(TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(3), 1000, 100, new ThrottleLimits(80, 150), TimeSpan.FromMinutes(2));

        Assert.Equal(settings, RoundTrip(settings));
    }

    [Fact]
    public void The_lane_entity_state_survives_the_durable_serializer()
    {
        var t0 = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var lane = new ThrottleLane();
        lane.Admit(new AdmissionRequest(t0, new ObservedJobs(0, 0, []), new ThrottleLimits(2, 2), TimeSpan.FromMinutes(2),
            [new("a", JobKind.Query), new("b", JobKind.Load), new("c", JobKind.Load)]));
        lane.Admit(new AdmissionRequest(t0.AddSeconds(5), new ObservedJobs(1, 0, [t0.AddSeconds(1)]), new ThrottleLimits(2, 2), TimeSpan.FromMinutes(2), [], ["c"]));

        var copy = RoundTrip(lane);

        Assert.Equal(lane.Reservations, copy.Reservations);
        Assert.Equal(lane.LastMatchedJob, copy.LastMatchedJob);
        Assert.Equal(["b"], copy.Reservations.Select(r => r.Key));
    }

    [Fact]
    public async Task A_run_with_every_payload_round_tripped_equals_the_in_process_run()
    {
        await using var plain = await Seeded();
        await using var durable = await Seeded();

        var expected = await plain.Run(maxCycles: 2);
        var engine = new DurableShapedEngine(durable);
        var actual = RoundTrip(await DispatchRun.Execute(engine, RoundTrip(RunSettings.From(durable.Config, 2))));

        Assert.Equal(StatusJson.Serialize(Normalized(expected)), StatusJson.Serialize(Normalized(actual)));
        Assert.Equal(2, engine.Published.Count);
        Assert.True(actual.Totals.HandedOff >= 2, StatusJson.Serialize(actual));
        Assert.All(engine.CustomStatus, s => Assert.True(s.Length < 8_000));
    }

    // Query traces over a limit of one, a load trace, a due window: activities, lanes and the status all have work.
    private static async Task<DispatchFixture> Seeded()
    {
        var f = await DispatchFixture.Create(StorageKind.Memory, new { MaxConcurrentSQL = 1 });
        for (var i = 1; i <= 3; i++)
        {
            var trace = f.Trace($"proj:p1:US/ds.q--{i}_00001_query--dispatch", TimeSpan.FromSeconds(30 - i));
            f.Job("p1", $"ds_q--{i}_00001_query--dispatch", EmulatedJobType.Query, EmulatedJobState.Done, created: trace.Created);
        }

        var load = f.Trace("proj:p2:EU/ds.l--9_00001_load--dispatch", TimeSpan.FromSeconds(20));
        f.Job("p2", "ds_l--9_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, location: "EU", created: load.Created);
        f.Object(f.Tasks + "ds.t_987_1700000000.win", "{}", TimeSpan.FromMinutes(1));
        return f;
    }

    private static StatusDocument Normalized(StatusDocument status)
    {
        status.TimeTakenMs = 0;
        status.ListTime = "";
        return status;
    }

    /// <summary>The flow's engine as the orchestrator adapter runs it, with Durable's serialization at every edge.</summary>
    private sealed class DurableShapedEngine(DispatchFixture fixture) : IDispatchEngine
    {
        private readonly DispatchActivities activities = fixture.Activities();
        private readonly Dictionary<string, string> laneStates = new(StringComparer.Ordinal);

        public List<StatusDocument> Published { get; } = [];

        public List<string> CustomStatus { get; } = [];

        public DateTimeOffset UtcNow => fixture.Clock.UtcNow;

        public bool StopRequested => false;

        public Task Pause(TimeSpan delay) => fixture.Clock.Delay(delay, CancellationToken.None);

        public async Task<TaskFolderScan> Scan(ScanRequest request) =>
            RoundTrip(await activities.Scanner.Scan(RoundTrip(request), CancellationToken.None));

        public Task<Admission> Admit(string project, AdmissionRequest request)
        {
            var key = LaneKeys.For(project);
            var lane = laneStates.TryGetValue(key, out var json)
                ? JsonSerializer.Deserialize<ThrottleLane>(json, DurableJson.Options)!
                : new ThrottleLane();
            var admission = lane.Admit(RoundTrip(request));
            laneStates[key] = JsonSerializer.Serialize(lane, DurableJson.Options);
            return Task.FromResult(RoundTrip(admission));
        }

        public async Task<HandOffOutcome> HandOff(HandOffBatch batch) =>
            RoundTrip(await activities.HandOffs.HandOff(RoundTrip(batch), CancellationToken.None));

        public async Task<WindowOutcome> FireWindows(WindowBatch batch) =>
            RoundTrip(await activities.Windows.Fire(RoundTrip(batch), CancellationToken.None));

        public async Task<CleanupOutcome> Cleanup(CleanupBatch batch) =>
            RoundTrip(await activities.Cleaner.Clean(RoundTrip(batch), CancellationToken.None));

        public async Task Publish(StatusDocument status)
        {
            CustomStatus.Add(JsonSerializer.Serialize(RunSummary.From(status), DurableJson.Options));
            var request = RoundTrip(new PublishRequest(status, DispatchMetrics.ForCycle(Published.LastOrDefault(), status)));
            Published.Add(request.Status);
            await activities.Publisher.Publish(request.Status, CancellationToken.None);
        }
    }
}
