using System.Text;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Groups;

/// <summary>Group files, member names and the decision on a group, without I/O.</summary>
public class GroupDecisionTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("p1:US.job_1", "p1", "US", "job_1")]
    [InlineData("example.com:my-proj:us-central1.bquxjob_1a-2", "example.com:my-proj", "us-central1", "bquxjob_1a-2")]
    public void Members_are_project_location_and_job_id(string text, string project, string location, string jobId)
    {
        Assert.True(GroupMember.TryParse(text, out var member));
        Assert.Equal(new GroupMember(project, location, jobId), member);
        Assert.Equal(text, member!.ToString());
    }

    [Theory]
    [InlineData("job_1")]
    [InlineData("p1.job_1")]
    [InlineData("p1:US.")]
    [InlineData(":US.job_1")]
    [InlineData("p1:.job_1")]
    [InlineData("p1:US.job/1")]
    [InlineData("p/1:US.job_1")]
    public void Malformed_members_are_refused(string text) => Assert.False(GroupMember.TryParse(text, out _));

    [Theory]
    [InlineData("""{"Jobs": ["p1:US.a"], "DeadlineSec": 0}""", "DeadlineSec")]
    [InlineData("""{"Jobs": []}""", "non-empty")]
    [InlineData("""{"Jobs": ["p1:US.a"], "Open": "yes"}""", "Open")]
    [InlineData("""{"Jobs": ["p1:US.a"], "OnSuccess": [{"Action": "explode"}]}""", "unknown action 'explode'")]
    [InlineData("""[]""", "JSON object")]
    public void Malformed_files_say_why(string json, string reason)
    {
        var (group, problem) = Parse("g.json", json);
        Assert.Null(group);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("g.txt")]
    [InlineData("g h.json")]
    [InlineData(".json")]
    public void Names_follow_the_trace_rules(string objectName) => Assert.Null(Parse(objectName, """{"Jobs": ["p1:US.a"]}""").Group);

    [Fact]
    public void Names_are_at_most_200_characters_so_the_post_action_file_fits_any_trigger_store()
    {
        Assert.Equal(new string('n', 200), GroupFile.NameOf(new string('n', 200) + ".json"));
        Assert.Null(GroupFile.NameOf(new string('n', 201) + ".json"));
    }

    [Fact]
    public void Keys_are_read_in_any_case_and_defaults_apply()
    {
        var (group, problem) = Parse("nightly.v2.json", """{"jobs": ["p1:US.a", "p1:US.a", "p2:EU.b"], "onSuccess": [{"Action": "query", "Request": {"SQL": "SELECT 1"}}]}""");

        Assert.Null(problem);
        Assert.Equal("nightly.v2", group!.Name);
        Assert.Equal(2, group.Members.Count);
        Assert.False(group.Open);
        Assert.Equal(Created + GroupFile.DefaultDeadline, group.Deadline);
        Assert.NotNull(group.OnSuccess);
        Assert.Null(group.OnFailure);
    }

    [Fact]
    public void A_member_that_ends_after_the_deadline_does_not_count_so_a_retry_decides_the_same()
    {
        var group = Group("""{"Jobs": ["p1:US.a", "p1:US.b"], "DeadlineSec": 60}""");
        var deadline = group.Deadline;
        var a = new MemberState(JobStatus.Done, deadline.AddSeconds(-30));
        var atDeadline = GroupDecision.View(group, m => m.JobId == "a" ? a : MemberState.Running, deadline.AddSeconds(1));
        var later = GroupDecision.View(group, m => m.JobId == "a" ? a : new MemberState(JobStatus.Done, deadline.AddSeconds(5)), deadline.AddSeconds(20));

        Assert.Equal(GroupProgress.Expired, atDeadline.Progress);
        Assert.Equal(GroupProgress.Expired, later.Progress);
        Assert.Equal(["p1:US.b"], later.Missing);
        var first = GroupDecision.Completion(group, atDeadline, m => m.JobId == "a" ? a : MemberState.Running);
        var retry = GroupDecision.Completion(group, later, m => m.JobId == "a" ? a : new MemberState(JobStatus.Done, deadline.AddSeconds(5)));
        Assert.Equal(first, retry);
        Assert.Equal("a", first.JobId);
    }

    [Fact]
    public void A_deadline_waits_while_a_member_state_is_unknown()
    {
        var group = Group("""{"Jobs": ["p1:US.a"], "DeadlineSec": 60}""");

        Assert.Equal(GroupProgress.Waiting, GroupDecision.View(group, _ => MemberState.Unknown, group.Deadline.AddMinutes(5)).Progress);
        Assert.Equal(GroupProgress.Expired, GroupDecision.View(group, _ => new MemberState(JobStatus.NotFound), group.Deadline).Progress);
    }

    [Fact]
    public void An_open_group_waits_even_when_every_member_is_done_then_fails_at_its_deadline()
    {
        var group = Group("""{"Jobs": ["p1:US.a"], "Open": true, "DeadlineSec": 60, "OnFailure": [{"Action": "notify", "Request": {}}]}""");
        var done = new MemberState(JobStatus.Done, Created.AddSeconds(10));

        Assert.Equal(GroupProgress.Waiting, GroupDecision.View(group, _ => done, Created.AddSeconds(30)).Progress);
        var expired = GroupDecision.View(group, _ => done, group.Deadline);
        Assert.Equal(GroupProgress.Expired, expired.Progress);
        Assert.Contains("still open", GroupDecision.Completion(group, expired, _ => done).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_payloads_of_the_scan_and_the_completion_activity_round_trip()
    {
        var group = Group("""{"Jobs": ["p1:US.a"], "OnSuccess": [{"Action": "query", "Request": {"SQL": "SELECT 1"}}]}""");
        var done = new MemberState(JobStatus.Done, Created.AddSeconds(10), "invalid", "LOAD");
        var view = GroupDecision.View(group, _ => done, Created.AddSeconds(20));
        var scan = new TaskFolderScan { Groups = new GroupScan { Waiting = [view], WaitingTotal = 3, Due = [new DueGroup(view, GroupDecision.Completion(group, view, _ => done))], DueTotal = 1 } };
        var batch = new GroupBatch(Created, [.. scan.Groups.Due.Select(d => d.Completion)]);
        var outcome = new GroupOutcome([new GroupCompleted("g", false, GroupResult.AlreadyCompleted, "mem://t/x--group.json", null)]);

        Assert.Equal(Json(scan), Json(RoundTrip(scan)));
        Assert.Equal(Json(batch), Json(RoundTrip(batch)));
        Assert.Equal(Json(outcome), Json(RoundTrip(outcome)));
    }

    private static T RoundTrip<T>(T value) => System.Text.Json.JsonSerializer.Deserialize<T>(Json(value))!;

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static GroupDefinition Group(string json) => Parse("g.json", json).Group!;

    private static (GroupDefinition? Group, string? Problem) Parse(string name, string json) =>
        GroupFile.Parse(new StoredObject("mem://d/T/_groups/" + name, name, 1, json.Length, Created, Created), Encoding.UTF8.GetBytes(json));
}
