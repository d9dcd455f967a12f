using System.Text.Json;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// Lanes end to end, through the real clients and the BigQuery emulator: live work goes before a backfill that shares
/// its project's limit, a lane's own limit binds while the project's does not (counting the lane's jobs BigQuery runs,
/// by their destination table), and MaxWaitSec lifts work that live traffic would otherwise starve.
/// </summary>
public abstract class LaneTests(StorageKind kind) : AcceptanceTests(kind)
{
    private static readonly object Backfill = new { Name = "backfill", When = new { Dest = "backfill_.*" }, Priority = 4000 };

    [Fact]
    public async Task Live_work_goes_first_and_a_backfill_sharing_the_project_limit_drains_in_the_gaps()
    {
        await using var f = await Fixture(new { MaxConcurrentLoad = 2, Lanes = new[] { Backfill } });
        var bqTail = new BqTail(f, jobSeconds: 2);
        for (var i = 1; i <= 6; i++)
        {
            bqTail.Finished($"backfill.events_{i}", $"{i}", TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(i));
        }

        // One live load finishes before each of the first five cycles.
        bqTail.Finished("live.clicks", "100", TimeSpan.FromSeconds(5));
        var engine = new ActingEngine(f, cycle =>
        {
            bqTail.Act(cycle);
            if (cycle < 4)
            {
                bqTail.Finished("live.clicks", $"{101 + cycle}", TimeSpan.FromSeconds(5));
            }
        });
        var status = await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 9));

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(11, bqTail.Consumed.Count);
        for (var cycle = 0; cycle < 5; cycle++)
        {
            // Each cycle's live trace goes in that cycle; the backfill takes the other slot.
            Assert.Equal(["live", "backfill"], bqTail.HandedOffIn(cycle));
        }

        Assert.Equal(["backfill"], bqTail.HandedOffIn(5));
        Assert.Equal(5, status.Lanes["main"].Dispatched);
        Assert.Equal(6, status.Lanes["backfill"].Dispatched);
        Assert.Equal(5, status.Lanes["backfill"].Throttled);
        Assert.Equal(0, status.Lanes["main"].Throttled);
        Assert.Equal(0, status.Lanes["backfill"].Queued);
    }

    [Fact]
    public async Task A_lanes_limit_binds_while_the_project_limit_does_not_and_the_queue_says_why()
    {
        var lanes = new[] { new { Name = "backfill", When = new { Dest = "backfill_.*" }, Priority = 4000, MaxConcurrentLoad = 2 } };
        await using var f = await Fixture(new { MaxConcurrentLoad = 10, Lanes = lanes });
        var bqTail = new BqTail(f, jobSeconds: 60);
        for (var i = 1; i <= 4; i++)
        {
            bqTail.Finished($"backfill.events_{i}", $"{i}", TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(i));
        }

        for (var i = 1; i <= 3; i++)
        {
            bqTail.Finished($"live.t{i}", $"{10 + i}", TimeSpan.FromSeconds(20));
        }

        // A load someone else runs into the backfill's dataset: its destination table puts it in the lane.
        f.Job("p1", "job_manual_reload", EmulatedJobType.Load, EmulatedJobState.Running, destination: new EmulatedTable("p1", "backfill", "events_0"));

        var status = await f.Run(maxCycles: 1);

        Assert.Equal(4, status.Totals.HandedOff);
        Assert.Equal((3, 1), (status.Lanes["main"].Dispatched, status.Lanes["backfill"].Dispatched));
        Assert.Equal(3, status.Lanes["backfill"].Queued);
        Assert.Equal(1, status.Lanes["backfill"].Running.LoadJobs);
        Assert.Equal(3, status.Lanes["backfill"].Throttled);
        Assert.True(status.Lanes["backfill"].OldestWaitSec >= 590, $"oldest wait {status.Lanes["backfill"].OldestWaitSec} s");

        var queue = StatusJson.Deserialize<QueueDocument>(f.Read(f.Journal + StatusPublisher.QueueFile));
        Assert.Equal(["backfill", "main"], queue.Lanes.Keys.Order());
        Assert.Empty(queue.Lanes["main"].Work);
        var held = queue.Lanes["backfill"];
        Assert.Equal((4000L, 3), (held.Priority, held.Queued));
        Assert.Equal(
            [f.Tasks + "proj:p1:US/backfill.events_2--2_00001_load--dispatch", f.Tasks + "proj:p1:US/backfill.events_3--3_00001_load--dispatch", f.Tasks + "proj:p1:US/backfill.events_4--4_00001_load--dispatch"],
            held.Work.Select(w => w.URL).Order());
        Assert.All(held.Work, w => Assert.Equal(new HeldBy("MaxConcurrentLoad", HeldBy.LaneScope, 2, 2), w.HeldBy));
        Assert.All(held.Work, w => Assert.Equal(("p1", "load", 4000L), (w.Project, w.Kind, w.Priority)));

        // performance.json keeps BqTail's format: no lanes in it.
        using var performance = JsonDocument.Parse(f.Read(f.Journal + StatusPublisher.PerformanceFile));
        Assert.Equal(["p1"], performance.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain("Lanes", performance.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backlog_of_backfill_beyond_the_cycles_chunk_does_not_keep_live_work_out_of_it()
    {
        await using var f = await Fixture(new { MaxHandOffsPerCycle = 3, Lanes = new[] { Backfill } });
        var bqTail = new BqTail(f, jobSeconds: 60);
        for (var i = 1; i <= 5; i++)
        {
            bqTail.Finished($"backfill.events_{i}", $"{i}", TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(i));
        }

        bqTail.Finished("live.t", "100", TimeSpan.FromSeconds(5));

        var status = await f.Run(maxCycles: 1);

        Assert.Equal(3, status.Totals.HandedOff);
        Assert.Equal((1, 2), (status.Lanes["main"].Dispatched, status.Lanes["backfill"].Dispatched));
        Assert.Equal(3, status.Totals.Backlog);
    }

    [Fact]
    public async Task The_queue_is_written_at_a_runs_first_cycle_and_then_only_when_it_changes()
    {
        await using var f = await Fixture(new { MaxConcurrentLoad = 1, ReservationTtlSec = 600 });
        var bqTail = new BqTail(f, jobSeconds: 60);
        bqTail.Finished("live.t1", "1", TimeSpan.FromSeconds(30));
        bqTail.Finished("live.t2", "2", TimeSpan.FromSeconds(20));
        var start = f.Clock.UtcNow;
        var writes = 0;
        f.Store.AfterOperation = (operation, url) =>
        {
            if (operation == Core.Storage.StoreOperation.Put && url == f.Journal + StatusPublisher.QueueFile)
            {
                Interlocked.Increment(ref writes);
            }

            return Task.CompletedTask;
        };

        // Cycle 0 holds t2; cycles 1 and 2 hold it the same way; before cycle 3 a third trace joins the queue.
        var engine = new ActingEngine(f, ended =>
        {
            if (ended == 2)
            {
                bqTail.Finished("live.t3", "3", TimeSpan.FromSeconds(5));
            }
        });
        await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 5));

        var queue = StatusJson.Deserialize<QueueDocument>(f.Read(f.Journal + StatusPublisher.QueueFile));
        Assert.Equal(2, writes);
        Assert.Equal((start + 3 * f.Config.CyclePauseMs * TimeSpan.FromMilliseconds(1)).UtcDateTime, queue.Updated);
        Assert.Equal(2, queue.Lanes["main"].Queued);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MaxWaitSec_lifts_work_that_live_traffic_would_starve(bool withMaxWait)
    {
        var lanes = new[] { withMaxWait ? new { Name = "backfill", When = new { Dest = "backfill_.*" }, Priority = 4000, MaxWaitSec = (int?)20 } : new { Name = "backfill", When = new { Dest = "backfill_.*" }, Priority = 4000, MaxWaitSec = (int?)null } };
        await using var f = await Fixture(new { MaxConcurrentLoad = 1, Lanes = lanes });
        var bqTail = new BqTail(f, jobSeconds: 1);
        bqTail.Finished("backfill.events_1", "1", TimeSpan.FromSeconds(5));
        bqTail.Finished("live.t", "100", TimeSpan.FromSeconds(5));

        // A live load finishes before every cycle: without aging, the one slot always goes to live work.
        var engine = new ActingEngine(f, cycle =>
        {
            bqTail.Act(cycle);
            bqTail.Finished("live.t", $"{101 + cycle}", TimeSpan.FromSeconds(5));
        });
        var status = await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 10));

        // The backfill job ended about 5.9 s before the first cycle and cycles are 3 s apart: it has waited over 20 s at
        // the sixth cycle (index 5), which it then takes before that cycle's live work.
        var backfillCycle = Enumerable.Range(0, 9).Where(c => bqTail.HandedOffIn(c).Contains("backfill")).ToList();
        if (withMaxWait)
        {
            Assert.Equal([5], backfillCycle);
            Assert.Equal((1, 0), (status.Lanes["backfill"].Dispatched, status.Lanes["backfill"].Queued));
        }
        else
        {
            Assert.Empty(backfillCycle);
            Assert.Equal(1, status.Lanes["backfill"].Queued);
        }

        // The slot is used in every cycle (the last cycle's hand-offs are not taken by BqTail within the run).
        Assert.All(Enumerable.Range(0, 9), c => Assert.Single(bqTail.HandedOffIn(c)));
    }

    /// <summary>
    /// BqTail for load chains: a finished load leaves its trace; between cycles BqTail takes each trigger object and
    /// starts the next load of the same table, which runs for a while.
    /// </summary>
    private sealed class BqTail(DispatchFixture f, int jobSeconds)
    {
        private readonly Dictionary<int, List<string>> handedOff = [];
        private int step;

        public List<string> Consumed { get; } = [];

        /// <summary>A load into <paramref name="table"/> whose job ended <paramref name="ago"/>; its trace was written a moment before it started.</summary>
        public void Finished(string table, string eventId, TimeSpan ago)
        {
            var info = new JobInfo(table, eventId, 1, "load", JobIdCodec.DispatchMode);
            var trace = f.Trace(JobIdCodec.JobFilename(info, "p1", "US"), ago + TimeSpan.FromSeconds(1));
            f.Job("p1", JobIdCodec.JobId(info), EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);
        }

        /// <summary>Takes the trigger objects the cycle before <paramref name="cycle"/> + 1 made, and starts their next loads.</summary>
        public void Act(int cycle)
        {
            foreach (var trigger in f.ObjectsUnder(f.Url("trig/_bqjob_/")).Order(StringComparer.Ordinal))
            {
                Assert.True(f.Store.Remove(trigger));
                Consumed.Add(trigger);
                var done = JobIdCodec.Parse(trigger[(trigger.LastIndexOf('/') + 1)..]);
                if (!handedOff.TryGetValue(cycle, out var tables))
                {
                    tables = [];
                    handedOff[cycle] = tables;
                }

                tables.Add(done.DestTable);
                var next = done with { Step = 2, EventId = $"{done.EventId}x{step++}" };
                f.BigQuery.AddJob(new EmulatedJob("p1", JobIdCodec.JobId(next), "US", EmulatedJobType.Load, "tail@p1", f.Clock.UtcNow)
                {
                    RunningAt = f.Clock.UtcNow,
                    DoneAt = f.Clock.UtcNow + TimeSpan.FromSeconds(jobSeconds),
                });
            }
        }

        /// <summary>Whether each trace a cycle handed off was for a backfill table or a live one, live ones first.</summary>
        public IReadOnlyList<string> HandedOffIn(int cycle) =>
            handedOff.TryGetValue(cycle, out var tables)
                ? [.. tables.Select(t => t.StartsWith("backfill_", StringComparison.Ordinal) ? "backfill" : "live").OrderByDescending(t => t)]
                : [];
    }

    /// <summary>The in-process engine, with something acting during each pause (the cycle that just ended is given).</summary>
    private sealed class ActingEngine(DispatchFixture f, Action<int> act) : InterposedEngine(f)
    {
        private int cycle;

        public override Task Pause(TimeSpan delay)
        {
            act(cycle++);
            return Inner.Pause(delay);
        }
    }
}

public sealed class LanesOnMemory() : LaneTests(StorageKind.Memory);

public sealed class LanesOnCloudStorage() : LaneTests(StorageKind.CloudStorage);
