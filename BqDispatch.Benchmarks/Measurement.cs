namespace BqDispatch.Benchmarks;

/// <summary>The figures of one workload.</summary>
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
    string Status);
