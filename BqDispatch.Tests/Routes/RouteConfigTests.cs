using BqDispatch.Core.Configuration;
using BqDispatch.Core.Routes;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Routes;

/// <summary>The route keys of the configuration, and rules as a file holds them.</summary>
public sealed class RouteConfigTests
{
    [Fact]
    public void Defaults_route_the_configured_project_over_the_last_hour_reading_rules_every_minute()
    {
        var config = DispatchFixture.ConfigWith(null);
        var settings = RouteSettings.From(config);
        Assert.Equal(["cfgp"], settings.Projects);
        Assert.Equal(TimeSpan.FromMinutes(60), settings.Lookback);
        Assert.Equal(60_000, config.CheckInMs);
        Assert.Equal(["p1", "p2"], RouteSettings.From(DispatchFixture.ConfigWith(new { RouteProjects = new[] { "p1", "p2" } })).Projects);
    }

    [Theory]
    [InlineData("""{"RouteProjects": ["ok", "../x"]}""", "RouteProjects: '../x' cannot be a BigQuery project id")]
    [InlineData("""{"RouteLookbackMin": 0}""", "RouteLookbackMin must be within 1–10,080")]
    [InlineData("""{"Rules": {"When": {"Dest": "x"}}}""", "Rules must be an array of route rules")]
    [InlineData("""{"Rules": [{"When": {"Dest": "("}}]}""", "rule Rules#0: When.Dest '(' is not a regular expression")]
    [InlineData("""{"Rules": [{"When": {"Dest": "x", "Table": "y"}}]}""", "rule Rules#0: unknown key 'Table' in When")]
    public void A_bad_route_setting_is_an_error_that_names_it(string settings, string message)
    {
        var e = Assert.Throws<ConfigException>(() => DispatchFixture.ConfigWith(Newtonsoft.Json.Linq.JObject.Parse(settings)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_names_its_rules_by_Info_Name_or_position_and_reports_each_bad_one()
    {
        var parsed = RuleParser.Parse(
            """[{"When": {"Dest": "a"}, "Info": {"Name": "first"}}, {"When": {"Source": "b"}}, {"When": {"Dest": "c"}, "OnSuccess": [{"Action": "copy", "Request": 3}]}]""",
            "mem://ops/rules/x.json",
            "x.json");
        Assert.Equal(["first", "x.json#1"], parsed.Rules.Select(r => r.Name));
        Assert.Equal("rules mem://ops/rules/x.json: rule x.json#2: OnSuccess: the Request of action 'copy' must be an object", Assert.Single(parsed.Errors));
    }
}
