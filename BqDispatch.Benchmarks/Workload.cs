namespace BqDispatch.Benchmarks;

/// <summary>The shape of one benchmark workload.</summary>
/// <param name="Traces">Trace files waiting in the task folder, spread evenly over the project folders.</param>
/// <param name="DoneFraction">Share of traces whose job is DONE (the rest are RUNNING).</param>
/// <param name="Windows">Batch windows already due.</param>
/// <param name="Cycles">Cycles to measure; null runs until nothing is left to hand off (a drain).</param>
/// <param name="MaxConcurrentLoad">Load throttle of the dispatcher (0: none).</param>
/// <param name="RunningLoadsFinishEverySec">For a drain under throttling: untraced running loads, one finishing every so many seconds.</param>
/// <param name="ReservationTtlSec">No BqTail runs here to start the follow-up jobs that would release reservations, so a drain lets them expire quickly.</param>
/// <param name="WarmUpCycles">Unmeasured cycles first: a steady state is what a long-running dispatcher meets again and again, with its code long compiled (the runtime recompiles hot code in tiers over the first cycles).</param>
public sealed record Workload(
    string Name,
    string Description,
    int Traces,
    double DoneFraction,
    int Windows,
    int? Cycles,
    int MaxConcurrentLoad = 0,
    int RunningLoads = 0,
    double RunningLoadsFinishEverySec = 0,
    int ReservationTtlSec = 120,
    int WarmUpCycles = 0)
{
    public static readonly string[] Projects = ["p-sales", "p-ads", "p-logs", "p-geo"];
    public static readonly string[] Regions = ["US", "EU"];

    public int DoneTraces => (int)Math.Round(Traces * DoneFraction);

    /// <summary>The workload's traces, the same on every call for the same <paramref name="now"/>: seeded by the emulator process, counted by the runner.</summary>
    public IEnumerable<TraceSpec> TraceSpecs(DateTimeOffset now)
    {
        for (var i = 0; i < Traces; i++)
        {
            var project = Projects[i % Projects.Length];
            var region = Regions[i / Projects.Length % Regions.Length];
            var action = MaxConcurrentLoad > 0 ? "load" : (i % 3) switch { 0 => "load", 1 => "query", _ => "copy" };
            var done = Math.Floor((i + 1) * DoneFraction) > Math.Floor(i * DoneFraction);
            var created = now - TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(Traces - i);
            yield return new TraceSpec(project, region, $"proj:{project}:{region}", $"ds.t{i}--{i}_00001_{action}--dispatch", $"ds_t{i}--{i}_00001_{action}--dispatch", action, done, created);
        }
    }

    public static IReadOnlyList<Workload> All { get; } =
    [
        new("pending-1k", "1,000 traces in 8 project folders, 20% DONE, 10 due windows", 1_000, 0.2, 10, Cycles: 1),
        new("pending-10k", "10,000 traces, 20% DONE, 10 due windows", 10_000, 0.2, 10, Cycles: 1),
        new("pending-100k", "100,000 traces, 1% DONE, 10 due windows", 100_000, 0.01, 10, Cycles: 1),
        new("steady-100k", "100,000 traces all RUNNING, nothing to do (after two unmeasured cycles)", 100_000, 0, 0, Cycles: 1, WarmUpCycles: 2),
        new("handoff-5k", "5,000 DONE traces in 4 projects, no throttle: the hand-off rate", 5_000, 1, 0, Cycles: null),
        new("drain-5k", "5,000 DONE load traces in 4 projects, MaxConcurrentLoad 150 per project while 200 other loads finish over 10 s", 5_000, 1, 0, Cycles: null,
            MaxConcurrentLoad: 150, RunningLoads: 200, RunningLoadsFinishEverySec: 0.05, ReservationTtlSec: 1),

        // The scale workloads come last: a process keeps memory it once used, which would show in the peaks of the smaller ones.
        new("steady-300k", "300,000 traces all RUNNING, nothing to do (after two unmeasured cycles)", 300_000, 0, 0, Cycles: 1, WarmUpCycles: 2),
        new("steady-1m", "1,000,000 traces all RUNNING, nothing to do (after two unmeasured cycles)", 1_000_000, 0, 0, Cycles: 1, WarmUpCycles: 2),
        new("pending-1m", "1,000,000 traces, 1% DONE, 10 due windows", 1_000_000, 0.01, 10, Cycles: 1),
        new("drain-100k", "100,000 DONE load traces in 4 projects, MaxConcurrentLoad 150 per project while 200 other loads finish over 10 s", 100_000, 1, 0, Cycles: null,
            MaxConcurrentLoad: 150, RunningLoads: 200, RunningLoadsFinishEverySec: 0.05, ReservationTtlSec: 1),
    ];
}

/// <summary>One trace of a workload and its job.</summary>
public sealed record TraceSpec(string Project, string Region, string Folder, string FileName, string JobId, string Action, bool Done, DateTimeOffset Created);
