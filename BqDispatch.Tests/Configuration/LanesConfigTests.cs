using System.Globalization;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Throttling;
using Xunit;

namespace BqDispatch.Tests.Configuration;

/// <summary>The Lanes key: lanes as the README's cookbook writes them, their defaults, and errors that name the lane.</summary>
public sealed class LanesConfigTests
{
    private static DispatchConfig Parse(string lanesJson) =>
        ConfigLoader.Parse(ConfigJson.MinimalWith("Lanes", lanesJson), ConfigJson.NoEnvironment);

    private static string Error(string lanesJson) => Assert.Throws<ConfigException>(() => Parse(lanesJson)).Message;

    [Fact]
    public void The_cookbook_lanes_parse_in_order()
    {
        var config = Parse("""
            [
              {"Name": "critical", "When": {"Dest": "(.+_)?billing_.*"}, "Priority": 0},
              {"Name": "backfill", "When": {"Dest": "backfill_.*", "Action": "load|reload"}, "Priority": 4000, "MaxConcurrentLoad": 5, "MaxWaitSec": 3600},
              {"Name": "main", "MaxConcurrentSQL": 40}
            ]
            """);

        Assert.Equal(
            [
                new Lane("critical", 0, ThrottleLimits.None, null, new LaneWhen(Dest: "(.+_)?billing_.*")),
                new Lane("backfill", 4000, new ThrottleLimits(0, 5), 3600, new LaneWhen(Dest: "backfill_.*", Action: "load|reload")),
                new Lane("main", 512, new ThrottleLimits(40, 0)),
            ],
            config.Lanes);
    }

    [Fact]
    public void Without_lanes_there_are_none_and_a_lane_defaults_to_priority_512_without_limits()
    {
        Assert.Empty(ConfigLoader.Parse(ConfigJson.Minimal, ConfigJson.NoEnvironment).Lanes);
        Assert.Equal(
            new Lane("eu", 512, ThrottleLimits.None, null, new LaneWhen(Region: "EU|europe-.*")),
            Assert.Single(Parse("""[{"name": "eu", "when": {"region": "EU|europe-.*"}}]""").Lanes));
    }

    [Theory]
    [InlineData("""[{"Name": "a", "When": {"Project": "p"}}, {"Name": "A", "When": {"Project": "q"}}]""", "config: lane 'A' is defined twice (Lanes[0] and Lanes[1]; names ignore case)")]
    [InlineData("""[{"When": {"Project": "p"}}]""", "config: Lanes[0].Name is required")]
    [InlineData("""[{"Name": "a b", "When": {"Project": "p"}}]""", "config: Lanes[0].Name 'a b' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")]
    [InlineData("""[{"Name": "backfill", "When": {"Dest": "backfill_("}}]""", "config: Lanes.backfill.When.Dest is not a regular expression the dispatcher can use:")]
    [InlineData("""[{"Name": "backfill", "When": {"Dest": "(?!live).*"}}]""", "config: Lanes.backfill.When.Dest is not a regular expression the dispatcher can use:")]
    [InlineData("""[{"Name": "backfill", "When": {"Dest": "b.*"}, "Priorty": 1}]""", "config: unknown key 'Lanes.backfill.Priorty' (did you mean Lanes.backfill.Priority?)")]
    [InlineData("""[{"Name": "backfill", "When": {"Table": "b.*"}}]""", "config: unknown key 'Lanes.backfill.When.Table'")]
    [InlineData("""[{"Name": "backfill", "Priority": 1}]""", "config: Lanes.backfill.When needs at least one of Dest, Action, Project, Region")]
    [InlineData("""[{"Name": "backfill", "When": {}}]""", "config: Lanes.backfill.When needs at least one of Dest, Action, Project, Region")]
    [InlineData("""[{"Name": "main", "When": {"Dest": "x"}}]""", "config: Lanes.main.When: the lane main takes the work no other lane takes, so it has no When")]
    [InlineData("""[{"Name": "backfill", "When": {"Dest": "b.*"}, "Priority": "high"}]""", "config: Lanes.backfill.Priority must be a whole number within 0–4,294,967,295")]
    [InlineData("""{"Name": "backfill"}""", "config: Lanes must be a JSON array")]
    [InlineData("""["backfill"]""", "config: Lanes[0] must be a JSON object")]
    public void A_bad_lane_is_an_error_naming_it(string lanes, string expected) =>
        Assert.StartsWith(expected, Error(lanes), StringComparison.Ordinal);

    [Fact]
    public void At_most_twenty_lanes()
    {
        var lanes = Enumerable.Range(0, 21).Select(i => $$"""{"Name": "l{{i}}", "When": {"Project": "p{{i}}"} }""");

        Assert.Equal("config: Lanes holds 21 lanes; at most 20 are allowed", Error($"[{string.Join(',', lanes)}]"));
    }

    public static TheoryData<string> LaneKeys => [.. ConfigRange.ByLaneKey.Keys];

    [Theory]
    [MemberData(nameof(LaneKeys))]
    public void Each_numeric_lane_key_takes_its_bounds_and_refuses_one_past_them(string key)
    {
        var range = ConfigRange.ByLaneKey[key];
        string Lane(long value) => $$"""[{"Name": "x", "When": {"Project": "p"}, "{{key}}": {{value.ToString(CultureInfo.InvariantCulture)}} }]""";
        long Read(DispatchConfig config)
        {
            var lane = config.Lanes.Single();
            return key switch
            {
                "Priority" => lane.Priority,
                "MaxConcurrentSQL" => lane.Limits.MaxConcurrentSql,
                "MaxConcurrentLoad" => lane.Limits.MaxConcurrentLoad,
                _ => lane.MaxWaitSec!.Value,
            };
        }

        Assert.Equal(range.Min, Read(Parse(Lane(range.Min))));
        Assert.Equal(range.Max, Read(Parse(Lane(range.Max))));
        foreach (var outside in new[] { range.Min - 1, range.Max + 1 })
        {
            Assert.Equal($"config: Lanes.x.{key} must be within {range}, got {outside.ToString(CultureInfo.InvariantCulture)}", Error(Lane(outside)));
        }
    }
}
