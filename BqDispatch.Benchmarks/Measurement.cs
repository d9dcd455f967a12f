namespace BqDispatch.Benchmarks;

/// <summary>The figures of one workload.</summary>
/// <param name="WaitingTraces">Traces whose job is not DONE: what a cycle looks at and leaves alone.</param>
/// <param name="CpuMicrosPerWaitingTrace">The dispatcher's CPU time per cycle divided by the waiting traces (0 when none wait).</param>
public sealed record Measurement(
    string Workload,
    string Description,
    int Traces,
    int Cycles,
    double WallSeconds,
    double SecondsPerCycle,
    double DispatcherCpuSeconds,
    int HandOffs,
    int WindowsFired,
    double HandOffsPerSecond,
    Dictionary<string, int> StorageCalls,
    Dictionary<string, int> BigQueryCalls,
    long TotalCalls,
    long LowerBound,
    double RatioToLowerBound,
    int PollingCalls,
    double PollingSeconds,
    double PollingToOursBigQueryRatio,
    long PeakManagedMb,
    long PeakWorkingSetMb,
    int WaitingTraces,
    double CpuMicrosPerWaitingTrace,
    string Status);
