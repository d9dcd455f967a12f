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

    [Fact]
    public async Task An_active_run_is_left_alone_and_no_start_is_attempted()
    {
        var starts = 0;

        var outcome = await SingletonRun.StartUnlessActive(
            () => Task.FromResult(RunState.Running), () => { starts++; return Task.CompletedTask; }, _ => true);

        Assert.Equal(StartOutcome.AlreadyActive, outcome);
        Assert.Equal(0, starts);
    }

    [Fact]
    public async Task A_finished_run_is_followed_by_a_new_one()
    {
        var starts = 0;

        var outcome = await SingletonRun.StartUnlessActive(
            () => Task.FromResult(RunState.Completed), () => { starts++; return Task.CompletedTask; }, _ => false);

        Assert.Equal(StartOutcome.Started, outcome);
        Assert.Equal(1, starts);
    }

    [Fact]
    public async Task Losing_the_start_race_is_a_skip_not_an_error()
    {
        var outcome = await SingletonRun.StartUnlessActive(
            () => Task.FromResult(RunState.NotFound),
            () => throw new InvalidOperationException("already exists"),
            e => e is InvalidOperationException);

        Assert.Equal(StartOutcome.LostRace, outcome);
    }

    [Fact]
    public async Task Other_start_failures_propagate()
    {
        await Assert.ThrowsAsync<TimeoutException>(() => SingletonRun.StartUnlessActive(
            () => Task.FromResult(RunState.NotFound),
            () => throw new TimeoutException(),
            e => e is InvalidOperationException));
    }

    [Theory]
    [InlineData(StartOutcome.Started, HttpStatusCode.Accepted)]
    [InlineData(StartOutcome.AlreadyActive, HttpStatusCode.Conflict)]
    [InlineData(StartOutcome.LostRace, HttpStatusCode.Conflict)]
    public void Run_now_answers_accepted_or_conflict(StartOutcome outcome, HttpStatusCode code) =>
        Assert.Equal(code, RunNow.StatusCodeFor(outcome));
}
