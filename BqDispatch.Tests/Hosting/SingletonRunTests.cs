using System.Net;
using BqDispatch.Core.Hosting;
using Xunit;

namespace BqDispatch.Tests.Hosting;

public class SingletonRunTests
{
    [Fact]
    public void The_instance_id_is_a_stable_short_hash_of_the_task_folder()
    {
        var id = SingletonRun.InstanceId("gs://xx_bqdispatch/BqDispatch/Tasks/");

        Assert.Equal(id, SingletonRun.InstanceId("gs://xx_bqdispatch/BqDispatch/Tasks/"));
        Assert.Matches("^bqdispatch-[0-9a-f]{16}$", id);
        Assert.NotEqual(id, SingletonRun.InstanceId("gs://yy_bqdispatch/BqDispatch/Tasks/"));
    }

    [Fact]
    public void The_instance_id_is_a_valid_durable_instance_id()
    {
        var id = SingletonRun.InstanceId("gs://a/b/?#@\\");

        Assert.InRange(id.Length, 1, 100);
        Assert.False(id.StartsWith('@'));
        Assert.DoesNotContain(id, c => c is '/' or '\\' or '#' or '?');
    }

    [Theory]
    [InlineData(RunState.NotFound, true)]
    [InlineData(RunState.Completed, true)]
    [InlineData(RunState.Failed, true)]
    [InlineData(RunState.Terminated, true)]
    [InlineData(RunState.Unknown, true)]
    [InlineData(RunState.Pending, false)]
    [InlineData(RunState.Running, false)]
    [InlineData(RunState.Suspended, false)]
    public void A_run_starts_only_when_none_is_active(RunState state, bool start) =>
        Assert.Equal(start, SingletonRun.ShouldStart(state));

    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static Func<Task<RunObservation>> Observed(RunState state, TimeSpan? sinceUpdate = null) =>
        () => Task.FromResult(new RunObservation(state, Now - (sinceUpdate ?? TimeSpan.FromSeconds(5))));

    [Fact]
    public async Task An_active_run_is_left_alone_and_no_start_is_attempted()
    {
        var starts = 0;
        var terminations = 0;

        var outcome = await SingletonRun.StartUnlessActive(
            Observed(RunState.Running), () => { starts++; return Task.CompletedTask; }, _ => true, Now,
            () => { terminations++; return Task.CompletedTask; });

        Assert.Equal(StartOutcome.AlreadyActive, outcome);
        Assert.Equal(0, starts);
        Assert.Equal(0, terminations);
    }

    [Fact]
    public async Task A_finished_run_is_followed_by_a_new_one()
    {
        var starts = 0;

        var outcome = await SingletonRun.StartUnlessActive(
            Observed(RunState.Completed), () => { starts++; return Task.CompletedTask; }, _ => false, Now);

        Assert.Equal(StartOutcome.Started, outcome);
        Assert.Equal(1, starts);
    }

    [Fact]
    public async Task Losing_the_start_race_is_a_skip_not_an_error()
    {
        var outcome = await SingletonRun.StartUnlessActive(
            () => Task.FromResult(RunObservation.NotFound),
            () => throw new InvalidOperationException("already exists"),
            e => e is InvalidOperationException,
            Now);

        Assert.Equal(StartOutcome.LostRace, outcome);
    }

    [Fact]
    public async Task Other_start_failures_propagate()
    {
        await Assert.ThrowsAsync<TimeoutException>(() => SingletonRun.StartUnlessActive(
            () => Task.FromResult(RunObservation.NotFound),
            () => throw new TimeoutException(),
            e => e is InvalidOperationException,
            Now));
    }

    [Theory]
    [InlineData(RunState.Running, 16, true)]
    [InlineData(RunState.Pending, 16, true)]
    [InlineData(RunState.Running, 14, false)]
    [InlineData(RunState.Suspended, 60, false)]
    [InlineData(RunState.Completed, 60, false)]
    public void A_run_is_stuck_when_active_and_silent_for_more_than_15_minutes(RunState state, int silentMinutes, bool stuck) =>
        Assert.Equal(stuck, SingletonRun.IsStuck(new RunObservation(state, Now - TimeSpan.FromMinutes(silentMinutes)), Now));

    [Fact]
    public async Task The_watchdog_terminates_a_stuck_run_instead_of_starting_one_and_run_now_never_does()
    {
        var terminations = 0;
        var starts = 0;

        var watchdog = await SingletonRun.StartUnlessActive(
            Observed(RunState.Running, TimeSpan.FromMinutes(20)), () => { starts++; return Task.CompletedTask; }, _ => false, Now,
            () => { terminations++; return Task.CompletedTask; });
        var runNow = await SingletonRun.StartUnlessActive(
            Observed(RunState.Running, TimeSpan.FromMinutes(20)), () => { starts++; return Task.CompletedTask; }, _ => false, Now);

        Assert.Equal(StartOutcome.TerminatedStuck, watchdog);
        Assert.Equal(StartOutcome.AlreadyActive, runNow);
        Assert.Equal(1, terminations);
        Assert.Equal(0, starts);
    }

    [Theory]
    [InlineData(StartOutcome.Started, HttpStatusCode.Accepted)]
    [InlineData(StartOutcome.AlreadyActive, HttpStatusCode.Conflict)]
    [InlineData(StartOutcome.LostRace, HttpStatusCode.Conflict)]
    public void Run_now_answers_accepted_or_conflict(StartOutcome outcome, HttpStatusCode code) =>
        Assert.Equal(code, RunNow.StatusCodeFor(outcome));

    [Fact]
    public void Run_now_names_the_status_endpoint_beside_it_without_the_callers_key()
    {
        var reply = RunNow.Reply("bqdispatch-1", StartOutcome.Started, RunNow.StatusUrlBeside(new Uri("https://app.example:8443/api/run?code=secret")));

        Assert.Equal("{\"Id\":\"bqdispatch-1\",\"Outcome\":\"Started\",\"StatusQueryGetUri\":\"https://app.example:8443/api/status\"}", reply.Json);
    }
}
