using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using Xunit;

namespace BqDispatch.Tests.Throttling;

/// <summary>Lane assignment: the first lane whose When matches, else main, for traces, windows and BigQuery's active jobs alike.</summary>
public sealed class LaneRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static readonly LaneRules Rules = new([
        new Lane("critical", 0, ThrottleLimits.None, null, new LaneWhen(Dest: "(.+_)?billing_.*")),
        new Lane("backfill", 4000, new ThrottleLimits(0, 5), null, new LaneWhen(Dest: "backfill_.*", Action: "load|reload")),
        new Lane("eu-queries", 100, ThrottleLimits.None, null, new LaneWhen(Action: "query", Project: "p1", Region: "EU")),
    ]);

    private static TraceWork Trace(string project, string region, string name) =>
        new($"mem://d/T/{name}", name, project, region, JobIdCodec.Decode(name), JobIdCodec.Parse(JobIdCodec.Decode(name)).Action,
            JobKinds.FromAction(JobIdCodec.Parse(JobIdCodec.Decode(name)).Action), T0, 1);

    [Theory]
    [InlineData("p1", "US", "billing.invoices--1_00001_load--dispatch", "critical")]
    [InlineData("p1", "US", "p9:billing.invoices--1_00002_copy--dispatch", "critical")]
    [InlineData("p1", "US", "backfill.events_2019--2_00001_load--dispatch", "backfill")]
    [InlineData("p1", "US", "backfill.events_2019--2_00002_copy--dispatch", "main")]
    [InlineData("p1", "EU", "reports.daily--3_00001_query--dispatch", "eu-queries")]
    [InlineData("p1", "us-central1", "reports.daily--3_00001_query--dispatch", "main")]
    [InlineData("p2", "EU", "reports.daily--3_00001_query--dispatch", "main")]
    [InlineData("p1", "EU", "backfillx.t--4_00001_load--dispatch", "main")]
    public void A_trace_goes_to_the_first_lane_that_matches(string project, string region, string name, string lane) =>
        Assert.Equal(lane, Rules.Assign(LaneSubjects.Of(Trace(project, region, name))));

    [Theory]
    [InlineData("backfill.events_123_1700000000.win", "backfill")]
    [InlineData("p1:billing.t_1700000000.win", "critical")]
    [InlineData("live.t_99_1700000000.win", "main")]
    public void A_window_goes_by_the_table_its_name_starts_with_as_a_load(string name, string lane) =>
        Assert.Equal(lane, Rules.Assign(LaneSubjects.Of(new WindowWork("mem://d/T/" + name, name, T0, 1, "p1", "p1/batching"))));

    [Theory]
    [InlineData("backfill_events--9_00002_load--dispatch", JobType.Load, null, "backfill")]
    [InlineData("job_abc", JobType.Load, "p1|backfill|events", "backfill")]
    [InlineData("job_abc", JobType.Load, "p1|ds|invoices", "main")]
    [InlineData("job_abc", JobType.Copy, "p1|billing|x", "critical")]
    [InlineData("job_abc", JobType.Query, "p1|_0abc|anon", "main")]
    [InlineData("job_abc", JobType.Query, null, "main")]
    [InlineData("temp_dummy_1--9_00001_load--dispatch", JobType.Load, "p1|temp|dummy_1", "main")]
    public void An_active_job_goes_by_its_bqtail_id_or_its_destination_table(string jobId, JobType type, string? table, string lane)
    {
        var destination = table?.Split('|') is { } parts ? new TableReference(parts[0], parts[1], parts[2]) : null;
        var job = new JobSnapshot("p1", jobId, "US", JobState.Running, type, T0, Destination: destination);

        Assert.Equal(lane, Rules.Assign(LaneSubjects.Of("p1", job)));
    }

    [Fact]
    public void Active_jobs_are_counted_per_lane_with_their_recent_creation_times()
    {
        var jobs = new[]
        {
            new JobSnapshot("p1", "backfill_e--1_00001_load--dispatch", "US", JobState.Running, JobType.Load, T0.AddSeconds(-5)),
            new JobSnapshot("p1", "backfill_e--2_00001_load--dispatch", "US", JobState.Pending, JobType.Load, T0.AddMinutes(-5)),
            new JobSnapshot("p1", "job_1", "US", JobState.Running, JobType.Query, T0.AddSeconds(-1)),
        };

        var observation = new LaneObservation("p1", Rules, T0.AddSeconds(-30));
        foreach (var job in jobs)
        {
            observation.Add(job);
        }

        var observed = observation.Observed();

        Assert.Equal(
            [new LaneJobs("backfill", 0, 2, 0, 0, [T0.AddSeconds(-5)]), new LaneJobs("main", 1, 0, 0, 0, [T0.AddSeconds(-1)])],
            observed.Lanes,
            (a, b) => a with { RecentCreated = [] } == b with { RecentCreated = [] } && a.RecentCreated.SequenceEqual(b.RecentCreated));
        Assert.Equal((1, 2), (observed.ActiveQuery, observed.ActiveLoad));
    }

    [Theory]
    [InlineData("ds.t_987_1700000000.win", "ds.t")]
    [InlineData("p1:ds.t_1700000000.win", "p1:ds.t")]
    [InlineData("ds.t_x_1_1700000000.win", "ds.t_x")]
    public void A_windows_destination_table_is_its_name_without_hash_and_end(string name, string dest)
    {
        Assert.True(WindowName.TryParse(name, out var window));
        Assert.Equal(dest, window!.DestTable);
    }
}
