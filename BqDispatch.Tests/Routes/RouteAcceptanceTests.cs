using System.Text.Json.Nodes;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Routes;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Acceptance;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Routes;

/// <summary>
/// Route rules end to end: the dispatcher's cycles on the in-process engine, the real BigQuery REST client against the
/// emulator, and the storage of each backend. The two examples are the seed document's (§8.4's 008_dispatch_export and
/// 009_dispatch_copy): export after a query into mydataset.my_table_v2, copy after a load into my_table_v3.
/// </summary>
public abstract class RouteAcceptanceTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string ExportRule = """
        {"When": {"Dest": ".+:mydataset\\.my_table_v2", "Type": "QUERY"},
         "OnSuccess": [{"Action": "export", "Request": {"DestURL": "gs://my-exports/my_table_v2/export.json.gz"}}],
         "Info": {"Name": "export_v2"}}
        """;

    private const string CopyRule = """
        {"When": {"Dest": ".+:mydataset\\.my_table_v3", "Type": "LOAD"},
         "OnSuccess": [{"Action": "copy", "Request": {"Dest": "mydataset.my_table_v4"}}],
         "OnFailure": [{"Action": "notify", "Request": {"Channels": ["#ops"], "Message": "$Error"}}]}
        """;

    [Fact]
    public async Task The_two_examples_produce_exactly_the_expected_trigger_objects()
    {
        await using var f = await Fixture(new { Rules = Rules(ExportRule, CopyRule) });
        var query = Query(f, "scheduled_query_1", "my_table_v2");
        var load = Load(f, "notebook_load_7", "my_table_v3");

        var status = await f.Run();

        var export = f.Url("trig/_bqjob_/2023-11-14_22/proj:cfgp:US/scheduled_query_1.json");
        var copy = f.Url("trig/_bqjob_/2023-11-14_22/proj:cfgp:US/notebook_load_7.json");
        Assert.Equal([copy, export], Triggers(f));

        var file = JsonNode.Parse(f.Read(export))!;
        Assert.Equal("query", (string?)file["Action"]);
        var meta = file["Meta"]!;
        Assert.Equal("cfgp", (string?)meta["ProjectID"]);
        Assert.Equal("US", (string?)meta["Region"]);
        Assert.Equal("cfgp:mydataset.my_table_v2", (string?)meta["DestTable"]);
        Assert.Equal(query.JobId, (string?)meta["EventID"]);
        Assert.Equal("dispatch", (string?)meta["Mode"]);
        Assert.True((bool?)meta["Async"]);
        Assert.Equal(1, (int?)meta["Step"]);
        Assert.Equal("Rules", (string?)meta["RuleURL"]);
        Assert.Equal(query.JobId, (string?)file["Job"]!["jobReference"]!["jobId"]);
        Assert.Equal("SELECT * FROM mydataset.events", (string?)file["Job"]!["configuration"]!["query"]!["query"]);
        var action = file["OnSuccess"]![0]!;
        Assert.Equal("export", (string?)action["Action"]);
        Assert.Equal("gs://my-exports/my_table_v2/export.json.gz", (string?)action["Request"]!["DestURL"]);
        Assert.Equal("cfgp:mydataset.my_table_v2", (string?)action["Request"]!["Source"]);
        Assert.Null(file["OnFailure"]);

        var copyFile = JsonNode.Parse(f.Read(copy))!;
        Assert.Equal("load", (string?)copyFile["Action"]);
        Assert.Equal(load.JobId, (string?)copyFile["Meta"]!["EventID"]);
        Assert.Equal("mydataset.my_table_v4", (string?)copyFile["OnSuccess"]![0]!["Request"]!["Dest"]);
        Assert.Equal("cfgp:mydataset.my_table_v3", (string?)copyFile["OnSuccess"]![0]!["Request"]!["Source"]);
        Assert.Equal("cfgp:mydataset.my_table_v3", (string?)copyFile["OnFailure"]![0]!["Request"]!["Source"]);

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Routes["export_v2"].Routed);
        Assert.Equal(1, status.Routes["Rules#1"].Routed);
        Assert.Equal(2, f.ObjectsUnder(f.Url("ops/Journal/routes/")).Count);
    }

    [Fact]
    public async Task Unmatched_bqtail_own_too_old_and_failed_jobs_are_treated_as_the_rules_say()
    {
        await using var f = await Fixture(new { Rules = Rules(ExportRule, CopyRule) });
        Query(f, "other_table", "my_table_v9");
        Query(f, "mydataset_my_table_v2--55_00001_query--dispatch", "my_table_v2");
        Query(f, "old_query", "my_table_v2", created: f.Clock.UtcNow - TimeSpan.FromMinutes(61));
        Query(f, "failed_query", "my_table_v2", error: "invalidQuery");
        Load(f, "failed_load", "my_table_v3", error: "invalid");

        var status = await f.Run();

        var failedLoad = f.Url("trig/_bqjob_/2023-11-14_22/proj:cfgp:US/failed_load.json");
        Assert.Equal([failedLoad], Triggers(f));
        var file = JsonNode.Parse(f.Read(failedLoad))!;
        Assert.Equal("notify", (string?)file["OnFailure"]![0]!["Action"]);
        Assert.Equal("invalid", (string?)file["Job"]!["status"]!["errorResult"]!["reason"]);

        Assert.Equal(new RouteCounts(Matched: 1, NoActions: 1), Counts(status, "export_v2"));
        Assert.Equal(new RouteCounts(Matched: 1, Routed: 1), Counts(status, "Rules#1"));
        Assert.Equal(1, status.Totals.RouteUnmatched);
    }

    [Fact]
    public async Task Two_dispatchers_route_each_job_once()
    {
        await using var f = await Fixture(new { Rules = Rules(ExportRule) });
        for (var i = 0; i < 40; i++)
        {
            Query(f, $"q_{i}", "my_table_v2");
        }

        var (one, two) = (f.Activities(), f.Activities());
        var both = await Task.WhenAll(f.Run(one), f.Run(two));

        // What one found in flight at the other it looks at again once the claim's lease is over: routed by then.
        f.WaitOutClaims();
        var again = await Task.WhenAll(f.Run(one), f.Run(two));

        Assert.Equal(40, Triggers(f).Count);
        Assert.All(Triggers(f), t => Assert.Equal(1, f.Store.CreationCount(t)));
        Assert.Equal(40, both.Sum(s => s.Routes["export_v2"].Routed));
        Assert.Equal(80, both.Sum(s => s.Routes["export_v2"].Matched));
        Assert.Equal(80, both.Concat(again).Sum(s => s.Routes.GetValueOrDefault("export_v2")?.Routed + s.Routes.GetValueOrDefault("export_v2")?.AlreadyRouted ?? 0));
        Assert.All(again, s => Assert.Equal(0, s.Totals.RouteWaiting));
    }

    [Fact]
    public async Task A_trigger_consumed_and_deleted_is_not_routed_again_next_cycle_nor_after_a_restart()
    {
        await using var f = await Fixture(new { Rules = Rules(ExportRule) });
        Query(f, "q_1", "my_table_v2");
        var activities = f.Activities();
        await f.Run(activities);
        var trigger = Assert.Single(Triggers(f));

        Assert.True(f.Store.Remove(trigger));
        f.Clock.Advance(TimeSpan.FromSeconds(3));
        var next = await f.Run(activities);
        f.Clock.Advance(TimeSpan.FromSeconds(3));
        var restarted = await f.Run(f.Activities());

        Assert.Empty(Triggers(f));
        Assert.Equal(1, f.Store.CreationCount(trigger));
        Assert.Equal(new RouteCounts(), Counts(next, "export_v2"));
        Assert.Equal(new RouteCounts(Matched: 1, AlreadyRouted: 1), Counts(restarted, "export_v2"));
        Assert.Equal(StatusDocument.Ok, restarted.Status);
    }

    [Fact]
    public async Task A_rules_file_edited_while_running_is_picked_up_within_CheckInMs()
    {
        await using var f = await Fixture(new { RulesURL = "RULES", CheckInMs = 10_000 }.WithRules(Kind));
        f.Object(f.Url("ops/rules/a.json"), ExportRule, TimeSpan.FromMinutes(1));
        var activities = f.Activities();
        await f.Run(activities);

        f.Object(f.Url("ops/rules/a.json"), CopyRule, TimeSpan.Zero);
        Load(f, "load_1", "my_table_v3");
        f.Clock.Advance(TimeSpan.FromSeconds(4));
        var before = await f.Run(activities);
        Assert.Empty(Triggers(f));

        f.Clock.Advance(TimeSpan.FromSeconds(7));
        var after = await f.Run(activities);

        Assert.Equal([f.Url("trig/_bqjob_/2023-11-14_22/proj:cfgp:US/load_1.json")], Triggers(f));
        Assert.False(before.Routes.ContainsKey("a.json#0"));
        Assert.Equal(1, after.Routes["a.json#0"].Routed);
    }

    [Fact]
    public async Task A_broken_rules_file_is_an_error_naming_it_and_its_last_good_version_stays_in_force()
    {
        await using var f = await Fixture(new { RulesURL = "RULES", CheckInMs = 0 }.WithRules(Kind));
        f.Object(f.Url("ops/rules/a.json"), ExportRule, TimeSpan.FromMinutes(1));
        f.Object(f.Url("ops/rules/b.json"), CopyRule, TimeSpan.FromMinutes(1));
        var activities = f.Activities();
        await f.Run(activities);

        f.Object(f.Url("ops/rules/a.json"), "[" + ExportRule.Replace("my_table_v2\"", "my_table_v2(\"", StringComparison.Ordinal) + "]", TimeSpan.Zero);
        f.Object(f.Url("ops/rules/c.json"), """{"When": {"Dest": "x"}, "OnSuccess": [{"Action": "teleport"}]}""", TimeSpan.Zero);
        Query(f, "q_1", "my_table_v2");
        Load(f, "l_1", "my_table_v3");
        f.Clock.Advance(TimeSpan.FromSeconds(3));
        var status = await f.Run(activities);

        Assert.Equal(2, Triggers(f).Count);
        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Contains(status.Errors, e => e.Contains(f.Url("ops/rules/a.json"), StringComparison.Ordinal)
            && e.Contains("rule export_v2", StringComparison.Ordinal) && e.Contains("is not a regular expression", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.Contains(f.Url("ops/rules/c.json"), StringComparison.Ordinal)
            && e.Contains("rule c.json#0", StringComparison.Ordinal) && e.Contains("unknown action 'teleport'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ten_thousand_done_jobs_in_the_look_back_cost_a_page_per_thousand_and_then_only_what_is_new()
    {
        await using var f = await Fixture(new { Rules = Rules([.. Enumerable.Range(0, 20).Select(i => RuleFor($"t_{i}", i == 0))]) });
        for (var i = 0; i < 10_000; i++)
        {
            Query(f, $"q_{i:D5}", $"t_{i % 100}", created: f.Clock.UtcNow - TimeSpan.FromMinutes(50) + TimeSpan.FromMilliseconds(i * 250));
        }

        var activities = f.Activities();
        f.BigQuery.ResetCounters();
        var first = await f.Run(activities);
        var firstCalls = f.BigQuery.ListCalls;
        var firstGets = f.BigQuery.GetCalls;

        for (var i = 0; i < 100; i++)
        {
            Query(f, $"new_{i:D3}", "t_0", created: f.Clock.UtcNow - TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(i * 10));
        }

        f.Clock.Advance(TimeSpan.FromSeconds(3));
        f.BigQuery.ResetCounters();
        var next = await f.Run(activities);

        // The catch-up: 10 full pages and the active listing's page; then one page of what is new, and the active page.
        Assert.Equal(11, first.Totals.RouteListPages);
        Assert.Equal(11, firstCalls);
        Assert.Equal(0, firstGets);
        Assert.Equal(100, first.Routes["t_0"].Routed);
        Assert.Equal(1_900, first.Routes.Values.Sum(r => r.NoActions));
        Assert.Equal(8_000, first.Totals.RouteUnmatched);
        Assert.Equal(2, next.Totals.RouteListPages);
        Assert.Equal(2, f.BigQuery.ListCalls);
        Assert.Equal(100, next.Routes["t_0"].Routed);
        Assert.Equal(100, next.Routes["t_0"].Matched);
        Assert.Equal(0, next.Totals.RouteWaiting);
    }

    [Fact]
    public async Task Many_jobs_seen_running_that_finished_are_read_by_one_listing_of_their_window_not_a_get_each()
    {
        await using var f = await Fixture(new { Rules = Rules(ExportRule) });
        var jobs = Enumerable.Range(0, 30)
            .Select(i => Query(f, $"busy_query_{i:00}", "my_table_v2", created: f.Clock.UtcNow - TimeSpan.FromSeconds(60 - i), running: true))
            .ToList();
        Query(f, "later_query", "my_table_v9", created: f.Clock.UtcNow - TimeSpan.FromSeconds(10));
        var activities = f.Activities();
        await f.Run(activities);
        Assert.Empty(Triggers(f));

        f.Clock.Advance(TimeSpan.FromMinutes(2));
        foreach (var job in jobs)
        {
            f.BigQuery.UpdateJob("cfgp", job.JobId, j => j with { DoneAt = f.Clock.UtcNow - TimeSpan.FromSeconds(1) });
        }

        f.BigQuery.ResetCounters();
        var status = await f.Run(activities);

        Assert.Equal(30, Triggers(f).Count);
        Assert.Equal(30, status.Routes["export_v2"].Routed);
        Assert.Equal(0, f.BigQuery.GetCalls);
        Assert.Equal(1, f.BigQuery.Requests.Count(r => r.Route == EmulatorRoutes.List && r.QueryString.Contains("maxCreationTime", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_job_seen_running_is_routed_when_it_finishes()
    {
        await using var f = await Fixture(new { Rules = Rules(ExportRule) });
        var job = Query(f, "long_query", "my_table_v2", running: true);

        // A later job moves the next listing's start past the long one: only the active listing can tell it finished.
        Query(f, "later_query", "my_table_v9", created: f.Clock.UtcNow - TimeSpan.FromSeconds(10));
        var activities = f.Activities();
        await f.Run(activities);
        Assert.Empty(Triggers(f));

        f.Clock.Advance(TimeSpan.FromMinutes(2));
        f.BigQuery.UpdateJob("cfgp", job.JobId, j => j with { DoneAt = f.Clock.UtcNow - TimeSpan.FromSeconds(1) });
        f.BigQuery.ResetCounters();
        var status = await f.Run(activities);

        Assert.Equal([f.Url("trig/_bqjob_/2023-11-14_22/proj:cfgp:US/long_query.json")], Triggers(f));
        Assert.Equal(1, f.BigQuery.GetCalls);
        Assert.Equal(1, status.Routes["export_v2"].Routed);
    }

    [Fact]
    public async Task A_finished_job_handed_in_by_an_event_is_routed_once_and_the_sweep_leaves_it()
    {
        await using var f = await Fixture(new { Rules = Rules(ExportRule) });
        Query(f, "q_event", "my_table_v2");
        var activities = f.Activities();
        using var http = new HttpClient();
        var resource = await new Core.BigQuery.JobsRestClient(http, f.BigQuery.BaseUrl.ToString()).GetResource("cfgp", "q_event", "US", CancellationToken.None);

        var byEvent = await activities.Routes.RouteFinished(resource!.Value, f.Clock.UtcNow, CancellationToken.None);
        var again = await activities.Routes.RouteFinished(resource.Value, f.Clock.UtcNow, CancellationToken.None);
        var swept = await f.Run(activities);

        Assert.Single(Triggers(f));
        Assert.Equal(new RouteCounts(Matched: 1, Routed: 1), byEvent.ByRule["export_v2"]);
        Assert.Equal(new RouteCounts(Matched: 1, AlreadyRouted: 1), again.ByRule["export_v2"]);
        Assert.Equal(new RouteCounts(), Counts(swept, "export_v2"));
    }

    private static RouteCounts Counts(StatusDocument status, string rule) =>
        status.Routes.TryGetValue(rule, out var r) ? new RouteCounts(r.Matched, r.Routed, r.AlreadyRouted, r.NoActions, r.Failed) : new RouteCounts();

    private static List<string> Triggers(DispatchFixture f) => [.. f.ObjectsUnder(f.Url("trig/_bqjob_/")).Order(StringComparer.Ordinal)];

    private static string RuleFor(string table, bool withActions) =>
        $$"""{"When": {"Dest": ":mydataset\\.{{table}}$", "Type": "QUERY"}, "Info": {"Name": "{{table}}"}{{(withActions ? ", \"OnSuccess\": [{\"Action\": \"export\", \"Request\": {\"DestURL\": \"gs://x/y.json\"}}]" : "")}}}""";

    // The fixture merges settings with Newtonsoft.
    private static Newtonsoft.Json.Linq.JArray Rules(params string[] rules) => Newtonsoft.Json.Linq.JArray.Parse("[" + string.Join(",", rules) + "]");

    private static EmulatedJob Query(
        DispatchFixture f, string jobId, string table, DateTimeOffset? created = null, string? error = null, bool running = false) =>
        Add(f, new EmulatedJob("cfgp", jobId, "US", EmulatedJobType.Query, "analyst@example.com", created ?? f.Clock.UtcNow - TimeSpan.FromSeconds(40))
        {
            Query = "SELECT * FROM mydataset.events",
            Destination = new EmulatedTable("cfgp", "mydataset", table),
            ErrorReason = error,
        }, running);

    private static EmulatedJob Load(DispatchFixture f, string jobId, string table, string? error = null) =>
        Add(f, new EmulatedJob("cfgp", jobId, "US", EmulatedJobType.Load, "notebook@example.com", f.Clock.UtcNow - TimeSpan.FromSeconds(40))
        {
            SourceUris = ["gs://landing/events/2023-11-14.json"],
            Destination = new EmulatedTable("cfgp", "mydataset", table),
            ErrorReason = error,
        }, running: false);

    private static EmulatedJob Add(DispatchFixture f, EmulatedJob job, bool running)
    {
        var placed = job with { RunningAt = job.Created, DoneAt = running ? null : job.Created + TimeSpan.FromSeconds(5) };
        f.BigQuery.AddJob(placed);
        return placed;
    }
}

internal static class RuleSettings
{
    /// <summary>The settings with RulesURL pointing at the fixture's ops/rules/ folder on its storage.</summary>
    public static Dictionary<string, object> WithRules(this object settings, StorageKind kind) =>
        settings.GetType().GetProperties().ToDictionary(
            p => p.Name,
            p => p.Name == "RulesURL" ? $"{DispatchFixture.SchemeOf(kind)}://ops/rules/" : p.GetValue(settings)!);
}

public sealed class RoutesOnMemory() : RouteAcceptanceTests(StorageKind.Memory);

public sealed class RoutesOnCloudStorage() : RouteAcceptanceTests(StorageKind.CloudStorage);
