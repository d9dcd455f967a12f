using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// The throttle against BqTail's follow-up chains (issue 9, §4): each event loads, then copies, then queries, then
/// deletes (an action that starts no job), BqTail taking each trigger object between two cycles. Work is held back only
/// while a limit is reached by jobs that run (or are being admitted in the same breath): reservations go as soon as
/// BqTail has acted, whatever job it started, or none.
/// </summary>
public abstract class FollowUpChainTests(StorageKind kind) : AcceptanceTests(kind)
{
    private const int LoadLimit = 2;
    private const int QueryLimit = 1;

    [Fact]
    public async Task Nothing_is_held_while_the_project_is_under_its_limits()
    {
        await using var f = await Fixture(new { MaxConcurrentLoad = LoadLimit, MaxConcurrentSQL = QueryLimit });
        var bqTail = new BqTail(f);
        for (var e = 1; e <= 8; e++)
        {
            // Four loads are done already, four finish over the first cycles: the load limit is reached at first.
            bqTail.Submit(new JobInfo($"ds.t{e}", $"{e}", 1, "load", JobIdCodec.DispatchMode), f.Clock.UtcNow - TimeSpan.FromSeconds(30), e <= 4 ? -20 : e);
        }

        var engine = new ChainEngine(f, bqTail);
        var status = await DispatchRun.Execute(engine, RunSettings.From(f.Config, maxCycles: 20));

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Empty(engine.Unexplained);
        Assert.True(engine.Held > 0, "the limits were never reached: the test proves nothing");
        Assert.Empty(f.ObjectsUnder(f.Tasks));
        Assert.Equal(24, bqTail.Consumed.Count);
        Assert.Equal(24, bqTail.Consumed.Distinct().Count());
    }

    /// <summary>
    /// BqTail, between cycles: takes every trigger object (reads it, deletes it) and runs the next step of its chain:
    /// load → copy → query → delete. A step that is a job writes its trace first, then starts the job.
    /// </summary>
    private sealed class BqTail(DispatchFixture f)
    {
        private static readonly Dictionary<string, string> Next = new() { ["load"] = "copy", ["copy"] = "query", ["query"] = "delete" };

        private readonly List<EmulatedJob> jobs = [];

        public List<string> Consumed { get; } = [];

        /// <summary>Jobs of this kind RUNNING or PENDING now: what BigQuery truly runs.</summary>
        public int Active(JobKind kind) =>
            jobs.Count(j => Kind(j.Type) == kind && j.StateAt(f.Clock.UtcNow) != EmulatedJobState.Done);

        public void Submit(JobInfo step, DateTimeOffset at, int runsSeconds)
        {
            var trace = f.Trace(JobIdCodec.JobFilename(step, "p1", "US"), f.Clock.UtcNow - at);
            var type = step.Action switch { "load" => EmulatedJobType.Load, "copy" => EmulatedJobType.Copy, _ => EmulatedJobType.Query };
            var job = new EmulatedJob("p1", JobIdCodec.JobId(step), "US", type, f.BigQuery.Options.CallerEmail, trace.Created)
            {
                RunningAt = trace.Created,
                DoneAt = f.Clock.UtcNow + TimeSpan.FromSeconds(runsSeconds),
            };
            jobs.Add(job);
            f.BigQuery.AddJob(job);
        }

        public void Act()
        {
            foreach (var trigger in f.ObjectsUnder(f.Url("trig/_bqjob_/")))
            {
                Assert.True(f.Store.Remove(trigger));
                Consumed.Add(trigger);
                var done = JobIdCodec.Parse(trigger[(trigger.LastIndexOf('/') + 1)..]);
                var next = Next[done.Action];
                if (next != "delete")
                {
                    Submit(done with { DestTable = done.DestTable + "_next", Step = done.Step + 1, Action = next }, f.Clock.UtcNow, runsSeconds: 4);
                }
            }
        }

        private static JobKind Kind(EmulatedJobType type) => type switch
        {
            EmulatedJobType.Load => JobKind.Load,
            EmulatedJobType.Query => JobKind.Query,
            _ => JobKind.Copy,
        };
    }

    /// <summary>The in-process engine, with BqTail acting during each pause and every held candidate checked against the truth.</summary>
    private sealed class ChainEngine(DispatchFixture f, BqTail bqTail) : InterposedEngine(f)
    {
        public List<string> Unexplained { get; } = [];

        public int Held { get; private set; }

        public override Task Pause(TimeSpan delay)
        {
            bqTail.Act();
            return Inner.Pause(delay);
        }

        public override async Task<Admission> Admit(string project, AdmissionRequest request)
        {
            var admission = await Inner.Admit(project, request);
            var kinds = request.Candidates.ToDictionary(c => c.Key, c => c.Kind, StringComparer.Ordinal);
            foreach (var held in admission.Held.Select(h => h.Key))
            {
                var heldKind = kinds[held];
                var admittedNow = admission.Admitted.Count(a => kinds[a] == heldKind);
                var limit = heldKind == JobKind.Load ? LoadLimit : QueryLimit;
                Held++;
                if (bqTail.Active(heldKind) + admittedNow < limit)
                {
                    Unexplained.Add($"{held} held at {UtcNow:HH:mm:ss} with {bqTail.Active(heldKind)} {heldKind} jobs running and {admittedNow} admitted (limit {limit})");
                }
            }

            return admission;
        }
    }
}

public sealed class FollowUpChainOnMemory() : FollowUpChainTests(StorageKind.Memory);

public sealed class FollowUpChainOnCloudStorage() : FollowUpChainTests(StorageKind.CloudStorage);
