using System.Text.Json.Nodes;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Acceptance;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Groups;

/// <summary>
/// Job groups end to end: the dispatcher's cycles on the in-process engine, the real BigQuery REST client against the
/// emulator, and the storage of each backend. The group of the README's example: three loads (in two projects and two
/// locations) and a summary query after them.
/// </summary>
public abstract class GroupAcceptanceTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const string Name = "daily_summary";

    private static readonly string[] Loads = ["cfgp:US.load_a", "p1:US.load_b", "p2:EU.load_c"];

    public static TheoryData<int, int, int> Orders => new()
    {
        { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Members_finishing_in_any_order_complete_the_group_once_after_the_last(int first, int second, int third)
    {
        await using var f = await Fixture();
        var jobs = Loads.Select(m => Running(f, m)).ToList();
        WriteGroup(f, Loads);

        foreach (var member in new[] { first, second })
        {
            Finish(f, Loads[member]);
            f.Clock.Advance(TimeSpan.FromSeconds(10));
            var waiting = await f.Run();
            Assert.Empty(GroupTriggers(f));
            Assert.Equal(StatusDocument.Ok, waiting.Status);
            Assert.False(waiting.Groups[Name].Completed);
        }

        var last = Finish(f, Loads[third]);
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var status = await f.Run();

        var (project, location) = (jobs[third].ProjectId, jobs[third].Location);
        var trigger = f.Url($"trig/_bqjob_/2023-11-14_22/proj:{project}:{location}/{Name}--group.json");
        Assert.Equal([trigger], GroupTriggers(f));
        var file = JsonNode.Parse(f.Read(trigger))!;
        Assert.Equal(last.JobId, (string?)file["Job"]!["jobReference"]!["jobId"]);
        Assert.Equal(project, (string?)file["Meta"]!["ProjectID"]);
        Assert.Equal("load", (string?)file["Action"]);
        Assert.Equal("query", (string?)file["OnSuccess"]![0]!["Action"]);
        Assert.Equal("query", (string?)file["OnFailure"]![0]!["Action"]);
        Assert.Null(file["OnSuccess"]![0]!["Request"]!["Error"]);

        Assert.False(f.Store.Exists(GroupUrl(f)));
        Assert.Contains(f.Url($"ops/Journal/groups/2023-11-14_22/{Name}.json"), f.ObjectsUnder(f.Url("ops/Journal/groups/")));
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.True(status.Groups[Name].Completed);
        Assert.Equal("success", status.Groups[Name].Outcome);
        Assert.Equal(1, status.Totals.GroupsCompleted);

        var after = await f.Run();
        Assert.Single(GroupTriggers(f));
        Assert.Equal(0, after.Totals.GroupsCompleted);
    }

    [Fact]
    public async Task Member_traces_are_handed_off_on_their_own_and_the_group_after_the_last()
    {
        await using var f = await Fixture();
        var traces = new[] { "proj:p1:US/ds.t--1_00001_load--dispatch", "proj:p1:US/ds.t--2_00001_load--dispatch" };
        var members = traces.Select(t => $"p1:US.{t["proj:p1:US/".Length..].Replace('.', '_')}").ToArray();
        foreach (var trace in traces)
        {
            var seeded = f.Trace(trace, TimeSpan.FromSeconds(30));
            f.Job("p1", trace["proj:p1:US/".Length..].Replace('.', '_'), EmulatedJobType.Load, EmulatedJobState.Running, created: seeded.Created);
        }

        WriteGroup(f, members);
        Finish(f, members[0]);
        f.Clock.Advance(TimeSpan.FromSeconds(5));
        var one = await f.Run();
        Finish(f, members[1]);
        f.Clock.Advance(TimeSpan.FromSeconds(5));
        var two = await f.Run();

        Assert.Equal(1, one.Totals.HandedOff);
        Assert.Equal(0, one.Totals.GroupsCompleted);
        Assert.Equal(1, two.Totals.HandedOff);
        Assert.Equal(1, two.Totals.GroupsCompleted);
        Assert.Equal(3, f.ObjectsUnder(f.Url("trig/_bqjob_/")).Count);
    }

    [Fact]
    public async Task A_failed_member_completes_the_group_with_the_failure_actions_and_names_it()
    {
        await using var f = await Fixture();
        foreach (var member in Loads)
        {
            Running(f, member);
        }

        WriteGroup(f, Loads);
        Finish(f, Loads[0]);
        Finish(f, Loads[1], error: "invalid");
        Finish(f, Loads[2]);
        f.Clock.Advance(TimeSpan.FromSeconds(10));

        var status = await f.Run();

        var trigger = Assert.Single(GroupTriggers(f));
        var file = JsonNode.Parse(f.Read(trigger))!;
        foreach (var branch in new[] { "OnSuccess", "OnFailure" })
        {
            var action = file[branch]![0]!;
            Assert.Equal("notify", (string?)action["Action"]);
            var error = (string?)action["Request"]!["Error"];
            Assert.Contains("p1:US.load_b (invalid)", error, StringComparison.Ordinal);
            Assert.DoesNotContain("load_a", error, StringComparison.Ordinal);
        }

        Assert.Equal(1, status.Groups[Name].Failed);
        Assert.Equal("failure", status.Groups[Name].Outcome);
        Assert.Equal(1, status.Totals.GroupsFailed);
    }

    [Fact]
    public async Task A_late_joiner_added_while_open_is_waited_for()
    {
        await using var f = await Fixture();
        foreach (var member in Loads)
        {
            Running(f, member);
        }

        WriteGroup(f, Loads[..2], open: true);
        Finish(f, Loads[0]);
        Finish(f, Loads[1]);
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var open = await f.Run();

        WriteGroup(f, Loads, open: true);
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var joined = await f.Run();

        WriteGroup(f, Loads, open: false);
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var closed = await f.Run();

        var last = Finish(f, Loads[2]);
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var done = await f.Run();

        Assert.Equal((2, 2, true), (open.Groups[Name].Members, open.Groups[Name].Done, open.Groups[Name].Open));
        Assert.Equal((3, 2), (joined.Groups[Name].Members, joined.Groups[Name].Done));
        Assert.Equal(["p2:EU.load_c"], closed.Groups[Name].Missing);
        Assert.False(closed.Groups[Name].Completed);
        Assert.True(done.Groups[Name].Completed);
        var file = JsonNode.Parse(f.Read(Assert.Single(GroupTriggers(f))))!;
        Assert.Equal(last.JobId, (string?)file["Job"]!["jobReference"]!["jobId"]);
    }

    [Fact]
    public async Task A_deadline_passing_with_a_member_missing_completes_the_group_as_failed()
    {
        await using var f = await Fixture();
        foreach (var member in Loads)
        {
            Running(f, member);
        }

        WriteGroup(f, Loads, deadlineSec: 120);
        Finish(f, Loads[0]);
        Finish(f, Loads[2]);
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        var before = await f.Run();
        f.Clock.Advance(TimeSpan.FromSeconds(61));
        var after = await f.Run();

        Assert.False(before.Groups[Name].Completed);
        Assert.Equal(["p1:US.load_b"], before.Groups[Name].Missing);
        Assert.True(after.Groups[Name].Completed);
        Assert.Equal("failure", after.Groups[Name].Outcome);
        var file = JsonNode.Parse(f.Read(Assert.Single(GroupTriggers(f))))!;
        var error = (string?)file["OnSuccess"]![0]!["Request"]!["Error"];
        Assert.Contains("not DONE at the deadline", error, StringComparison.Ordinal);
        Assert.Contains("p1:US.load_b", error, StringComparison.Ordinal);
        Assert.Equal("notify", (string?)file["OnFailure"]![0]!["Action"]);
    }

    [Fact]
    public async Task A_member_BigQuery_does_not_know_is_counted_and_the_deadline_decides()
    {
        await using var f = await Fixture();
        string[] members = ["cfgp:US.load_a", "p1:US.never_started"];
        Running(f, members[0]);
        WriteGroup(f, members, deadlineSec: 300);
        Finish(f, members[0]);
        f.Clock.Advance(TimeSpan.FromSeconds(10));

        var waiting = await f.Run();
        Assert.Empty(GroupTriggers(f));
        f.Clock.Advance(TimeSpan.FromSeconds(300));
        var expired = await f.Run();

        Assert.Equal(1, waiting.Groups[Name].NotFound);
        Assert.Equal(["p1:US.never_started"], waiting.Groups[Name].Missing);
        Assert.True(expired.Groups[Name].Completed);
        var file = JsonNode.Parse(f.Read(Assert.Single(GroupTriggers(f))))!;
        Assert.Equal("load_a", (string?)file["Job"]!["jobReference"]!["jobId"]);
        Assert.Contains("p1:US.never_started", (string?)file["OnFailure"]![0]!["Request"]!["Error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_dispatchers_complete_the_same_group_once()
    {
        await using var f = await Fixture();
        var names = Enumerable.Range(0, 10).Select(i => $"g{i}").ToList();
        foreach (var name in names)
        {
            string[] members = [$"p1:US.{name}_x", $"p2:EU.{name}_y"];
            foreach (var member in members)
            {
                Running(f, member);
                Finish(f, member);
            }

            WriteGroup(f, members, name: name);
        }

        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var (one, two) = (f.Activities(), f.Activities());
        var both = await Task.WhenAll(f.Run(one), f.Run(two));
        f.WaitOutClaims();
        var again = await Task.WhenAll(f.Run(one), f.Run(two));

        Assert.Equal(10, GroupTriggers(f).Count);
        Assert.All(GroupTriggers(f), t => Assert.Equal(1, f.Store.CreationCount(t)));
        Assert.Equal(10, both.Concat(again).Sum(s => s.Totals.GroupsCompleted));
        Assert.Empty(f.ObjectsUnder(f.Tasks + "_groups/"));
        Assert.All(both.Concat(again), s => Assert.Equal(StatusDocument.Ok, s.Status));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_crash_between_the_post_action_file_and_the_move_is_completed_once(bool recordDone, bool consumedMeanwhile)
    {
        await using var f = await Fixture();
        foreach (var member in Loads)
        {
            Running(f, member);
            Finish(f, member);
        }

        WriteGroup(f, Loads);
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var group = GroupUrl(f);

        // Dies right after the post-action file was created, or after its record was marked done, before the move's copy.
        f.Store.AfterOperation = (operation, url) =>
            !recordDone && operation == StoreOperation.Create && url.EndsWith("--group.json", StringComparison.Ordinal) ? throw new CrashException() : Task.CompletedTask;
        f.Store.BeforeOperation = (operation, url) =>
            recordDone && operation == StoreOperation.Copy && url.Contains("/Journal/groups/", StringComparison.Ordinal) ? throw new CrashException() : Task.CompletedTask;

        await Assert.ThrowsAsync<CrashException>(() => f.Run());
        var trigger = Assert.Single(GroupTriggers(f));
        Assert.True(f.Store.Exists(group));
        if (consumedMeanwhile)
        {
            // BqTail ran the post actions and deleted the file before the dispatcher came back.
            Assert.True(f.Store.Remove(trigger));
        }

        f.Store.BeforeOperation = null;
        f.Store.AfterOperation = null;
        f.WaitOutClaims();
        var status = await f.Run();

        Assert.Equal(1, f.Store.CreationCount(trigger));
        Assert.Equal(!consumedMeanwhile, f.Store.Exists(trigger));
        Assert.False(f.Store.Exists(group));
        Assert.Equal(1, status.Totals.GroupsAlreadyCompleted);
        Assert.Equal(StatusDocument.Ok, status.Status);
    }

    [Fact]
    public async Task A_malformed_group_file_is_reported_by_name_and_left_alone_and_the_others_complete()
    {
        await using var f = await Fixture();
        foreach (var member in Loads)
        {
            Running(f, member);
            Finish(f, member);
        }

        WriteGroup(f, Loads);
        var broken = f.Object(f.Tasks + "_groups/broken.json", "{\"Jobs\": [", TimeSpan.FromSeconds(5));
        var badMember = f.Object(f.Tasks + "_groups/bad_member.json", "{\"Jobs\": [\"just-a-job-id\"]}", TimeSpan.FromSeconds(5));
        var typo = f.Object(f.Tasks + "_groups/typo.json", "{\"Job\": [\"p1:US.x\"]}", TimeSpan.FromSeconds(5));
        f.Clock.Advance(TimeSpan.FromSeconds(10));

        var status = await f.Run();

        Assert.Single(GroupTriggers(f));
        Assert.True(status.Groups[Name].Completed);
        Assert.Equal(3, status.Totals.GroupsMalformed);
        Assert.Contains(status.Errors, e => e.Contains(broken.Url, StringComparison.Ordinal) && e.Contains("not valid JSON", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.Contains(badMember.Url, StringComparison.Ordinal) && e.Contains("just-a-job-id", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.Contains(typo.Url, StringComparison.Ordinal) && e.Contains("unknown key 'Job'", StringComparison.Ordinal));
        Assert.True(f.Store.Exists(broken.Url) && f.Store.Exists(badMember.Url) && f.Store.Exists(typo.Url));
    }

    [Fact]
    public async Task Plan_shows_the_groups_that_would_complete_and_those_that_wait_without_writing()
    {
        await using var f = await Fixture();
        foreach (var member in Loads)
        {
            Running(f, member);
            Finish(f, member);
        }

        Running(f, "p1:US.still_running");
        WriteGroup(f, Loads);
        WriteGroup(f, ["p1:US.still_running"], name: "later_one");
        f.Clock.Advance(TimeSpan.FromSeconds(10));

        var preview = await Core.Dispatch.CyclePreview.Of(f.Activities(), Core.Dispatch.RunSettings.From(f.Config), new Core.Dispatch.InProcess.ProjectThrottles(), f.Clock.UtcNow, CancellationToken.None);
        var text = BqDispatch.Cli.PlanCommand.Describe(preview);

        var trigger = f.Url($"trig/_bqjob_/2023-11-14_22/proj:p2:EU/{Name}--group.json");
        Assert.Equal([new Core.Dispatch.PlannedGroup(Name, GroupUrl(f), true, trigger)], preview.Groups);
        Assert.Contains($"complete   group {Name} (success actions)\n        →  {trigger}", text, StringComparison.Ordinal);
        Assert.Contains("group      later_one: 0 of 1 members DONE (0 failed)", text, StringComparison.Ordinal);
        Assert.Contains("groups     1 to complete, 1 waiting, 0 malformed", text, StringComparison.Ordinal);
        Assert.Empty(GroupTriggers(f));
        Assert.True(f.Store.Exists(GroupUrl(f)));
    }

    [Fact]
    public async Task With_events_on_an_idle_dispatcher_wakes_for_a_waiting_groups_deadline()
    {
        await using var f = await Fixture();
        Running(f, Loads[0]);
        WriteGroup(f, [Loads[0]], deadlineSec: 8);
        var settings = Core.Dispatch.RunSettings.From(f.Config, maxCycles: 2) with { Events = true, EventSweepPause = TimeSpan.FromSeconds(17) };
        var engine = new Core.Dispatch.InProcess.InProcessEngine(f.Activities(), f.Throttles, f.Clock, _ => { }, CancellationToken.None, ledger: f.Ledger);
        var started = f.Clock.UtcNow;

        var status = await Core.Dispatch.DispatchRun.Execute(engine, settings);

        // The first cycle found nothing to do: its pause ends at the deadline, 8 s later, not after the 17 s sweep pause.
        Assert.Equal(TimeSpan.FromSeconds(8), f.Clock.UtcNow - started);
        Assert.True(status.Groups[Name].Completed);
        Assert.Equal("failure", status.Groups[Name].Outcome);
    }

    private static string GroupUrl(DispatchFixture f, string name = Name) => f.Tasks + $"_groups/{name}.json";

    private static void WriteGroup(DispatchFixture f, IEnumerable<string> members, bool open = false, int deadlineSec = 3600, string name = Name) =>
        f.Object(GroupUrl(f, name), GroupJson(members, open, deadlineSec), TimeSpan.Zero);

    public static string GroupJson(IEnumerable<string> members, bool open = false, int deadlineSec = 3600) =>
        new JsonObject
        {
            ["Jobs"] = new JsonArray([.. members.Select(m => (JsonNode)m)]),
            ["Open"] = open,
            ["DeadlineSec"] = deadlineSec,
            ["OnSuccess"] = JsonNode.Parse("""[{"Action": "query", "Request": {"SQL": "SELECT COUNT(*) FROM ds.summary", "Dest": "ds.report"}}]"""),
            ["OnFailure"] = JsonNode.Parse("""[{"Action": "notify", "Request": {"Channels": ["#ops"], "Title": "daily summary not built"}}]"""),
        }.ToJsonString();

    private static EmulatedJob Running(DispatchFixture f, string member)
    {
        var (project, location, jobId) = Parts(member);
        return f.Job(project, jobId, EmulatedJobType.Load, EmulatedJobState.Running, location, created: f.Clock.UtcNow - TimeSpan.FromSeconds(20));
    }

    private static EmulatedJob Finish(DispatchFixture f, string member, string? error = null)
    {
        var (project, _, jobId) = Parts(member);
        return f.BigQuery.SetJobState(project, jobId, EmulatedJobState.Done, error);
    }

    private static (string Project, string Location, string JobId) Parts(string member)
    {
        var dot = member.LastIndexOf('.');
        var colon = member.LastIndexOf(':', dot);
        return (member[..colon], member[(colon + 1)..dot], member[(dot + 1)..]);
    }

    private static List<string> GroupTriggers(DispatchFixture f) =>
        [.. f.ObjectsUnder(f.Url("trig/_bqjob_/")).Where(u => u.EndsWith("--group.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private sealed class CrashException : Exception;
}

public sealed class GroupsOnMemory() : GroupAcceptanceTests(StorageKind.Memory);

public sealed class GroupsOnCloudStorage() : GroupAcceptanceTests(StorageKind.CloudStorage);
