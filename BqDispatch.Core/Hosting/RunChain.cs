using BqDispatch.Core.Dispatch;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// The orchestration's input. A run continues as the next run of the chain when its budget is spent (Durable's
/// ContinueAsNew), so the dispatcher is always watching and each run's history stays bounded.
/// </summary>
/// <param name="Run">1 for the run a starter scheduled, then counting up along the chain.</param>
/// <param name="Chained">False for a single run that completes with its status document as output.</param>
/// <param name="Previous">The summary of the run before, shown as the custom status until this run's first cycle.</param>
/// <param name="MaxCycles">Cycles per run when set (a bounded run: the local demo, tests); else until the budget.</param>
/// <param name="Carried">What the run before left for this one (traces handed off, failed attempts, awaited follow-ups).</param>
public sealed record RunChain(int Run, bool Chained, RunSummary? Previous, int? MaxCycles = null, RunCarryOver? Carried = null)
{
    /// <summary>What the watchdog and run-now start: the first run of a chain.</summary>
    public static readonly RunChain Start = new(1, Chained: true, Previous: null);

    public RunChain Next(RunResult finished) =>
        this with { Run = Run + 1, Previous = RunSummary.From(finished.Status), Carried = finished.CarryOver };
}
