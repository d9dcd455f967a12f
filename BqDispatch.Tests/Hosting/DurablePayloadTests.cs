using System.Text.Json;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Hosting;

/// <summary>
/// Every value that crosses the Durable boundary (orchestration input and output, activity inputs and results,
/// entity state, operation input and result, custom status) goes through the Functions worker's serializer, which is
/// built on <see cref="DurableJson.Options"/>. The whole orchestration runs that way in BqDispatch.Functions.Tests.
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
    public void The_throttle_entity_state_survives_the_durable_serializer()
    {
        var t0 = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var lane = new ProjectThrottle();
        lane.Admit(new AdmissionRequest(t0, Observed.Jobs(0, 0), new ThrottleLimits(2, 2), TimeSpan.FromMinutes(2),
            [new("a", JobKind.Query), new("b", JobKind.Load, "backfill"), new("c", JobKind.Load)],
            Lanes: [new Lane("backfill", 4000, ThrottleLimits.None, When: new LaneWhen(Dest: "b.*"))]));
        lane.Admit(new AdmissionRequest(t0.AddSeconds(5), Observed.Jobs(1, 0, [t0.AddSeconds(1)]), new ThrottleLimits(2, 2), TimeSpan.FromMinutes(2), [], ["c"]));

        var copy = RoundTrip(lane);

        Assert.Equal(lane.Reservations, copy.Reservations);
        Assert.Equal(lane.LastMatchedJob, copy.LastMatchedJob);
        Assert.Equal(["b"], copy.Reservations.Select(r => r.Key));
        Assert.Equal("backfill", copy.Reservations.Single().Lane);
    }
}
