using System.Text.Json;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

/// <summary>
/// Every record that crosses the engine seam becomes Durable Functions payload or entity state, which the
/// isolated worker serializes with System.Text.Json: each must come back equal after a round trip.
/// </summary>
public class PayloadSerializationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 12, 0, 0, 123, TimeSpan.Zero);

    private static readonly TraceWork Trace = new("gs://d/T/proj:p:US/x--1_00001_load--dispatch", "proj:p:US/x--1_00001_load--dispatch", "p", "US", "x--1_00001_load--dispatch", "load", JobKind.Load, At, 1763812800123456);

    private static readonly WindowWork Window = new("gs://d/T/ds.t_1_1700000000.win", "ds.t_1_1700000000.win", At, 7, "p", "ds/batching");

    private static T RoundTrip<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value))!;

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    [Fact]
    public void Activity_inputs_and_outputs_round_trip()
    {
        var observed = new ObservedJobs([new LaneJobs("main", 2, 1, 0, 0, [At, At.AddSeconds(-3)]), new LaneJobs("backfill", 0, 3, 1, 0, [])]);
        var scan = new TaskFolderScan
        {
            Projects = [new ProjectScan("p", "US", 3, new KindCounts(1, 2, 0, 0), KindCounts.Zero, observed, 1, 0)],
            Done = [Trace],
            DoneTotal = 5,
            Orphans = [Trace],
            DueWindows = [Window],
            DueWindowsTotal = 1,
            StalledPairs = [new StalledPair(new ObjectVersion("a", 1), new ObjectVersion("b", 2))],
            OrphanMarkers = [new ObjectVersion("c", 3)],
            IgnoredSamples = ["gs://d/T/x.txt"],
            Errors = ["boom"],
            Settled = ["gs://d/T/proj:p:US/t--1_00001_load--dispatch"],
            ListTime = TimeSpan.FromMilliseconds(12.5),
        };
        var awaited = new AwaitedFollowUp("gs://d/T/x", "p", "gs://t/_bqjob_/h/p/x.json", "1_00002", At);
        var request = new ScanRequest(At, 1000, [awaited]);

        Assert.Equal(Json(scan), Json(RoundTrip(scan)));
        Assert.Equal(Json(request), Json(RoundTrip(request)));
        Assert.Equal(Json(new HandOffBatch([Trace])), Json(RoundTrip(new HandOffBatch([Trace]))));
        Assert.Equal(Json(new HandOffOutcome([new HandOffResult("u", HandOffStatus.AlreadyHandedOff, "d", "w")])), Json(RoundTrip(new HandOffOutcome([new HandOffResult("u", HandOffStatus.AlreadyHandedOff, "d", "w")]))));
        Assert.Equal(Json(new WindowBatch([Window])), Json(RoundTrip(new WindowBatch([Window]))));
        Assert.Equal(Json(new WindowOutcome([new WindowResult("u", WindowStatus.Fired, null, "b")])), Json(RoundTrip(new WindowOutcome([new WindowResult("u", WindowStatus.Fired, null, "b")]))));
        var cleanup = new CleanupBatch(At, scan.StalledPairs, scan.OrphanMarkers, [Trace]);
        Assert.Equal(Json(cleanup), Json(RoundTrip(cleanup)));
        Assert.Equal(Json(new CleanupOutcome(1, 2, ["e"], ["x"])), Json(RoundTrip(new CleanupOutcome(1, 2, ["e"], ["x"]))));
    }

    [Fact]
    public void Entity_calls_and_state_round_trip()
    {
        var lanes = new[] { new Lane("backfill", 4000, new ThrottleLimits(0, 5), 600, new LaneWhen(Dest: "backfill_.*")) };
        var request = new AdmissionRequest(At, Observed.Jobs(1, 2, [At]), new ThrottleLimits(3, 4), TimeSpan.FromMinutes(2),
            [new AdmissionCandidate("k", JobKind.Query, "backfill", At.AddMinutes(-5), At.AddMinutes(-1))], ["settled"], lanes);
        Assert.Equal(Json(request), Json(RoundTrip(request)));
        var admission = new Admission(["a"], [new Hold("b", new HeldBy("MaxConcurrentLoad", HeldBy.LaneScope, 5, 5))], 1, 2, 3);
        Assert.Equal(Json(admission), Json(RoundTrip(admission)));

        var lane = new ProjectThrottle();
        lane.Admit(request);
        lane.Admit(request with { Observed = Observed.Jobs(1, 2, [At.AddSeconds(1)], "backfill"), Now = At.AddSeconds(3) });
        var restored = RoundTrip(lane);
        Assert.Equal(lane.Reservations, restored.Reservations);
        Assert.NotNull(lane.LastMatchedJob);
        Assert.Equal(lane.LastMatchedJob, restored.LastMatchedJob);
    }

    [Fact]
    public void The_orchestration_input_and_output_round_trip()
    {
        var settings = new RunSettings(TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(3), 1000, 100, new ThrottleLimits(80, 150), TimeSpan.FromMinutes(2), 3);
        Assert.Equal(settings, RoundTrip(settings));

        var status = new RunStatus(At);
        status.RecordHandOff(Trace, new HandOffResult(Trace.Url, HandOffStatus.HandedOff, "d"), At);
        status.RecordWindow(Window, new WindowResult(Window.Url, WindowStatus.Fired));
        status.AddError("e");
        var document = status.Snapshot(At.AddSeconds(1));
        Assert.Equal(StatusJson.Serialize(document), StatusJson.Serialize(RoundTrip(document)));

        var carried = new RunCarryOver(["gs://d/T/x#7"], [new AwaitedFollowUp("gs://d/T/x", "p", "gs://t/_batch_/x.win", null, At)], ["gs://d/T/y#8"]);
        Assert.Equal(Json(carried), Json(RoundTrip(carried)));
    }
}
