using BqDispatch.Core.Configuration;

namespace BqDispatch.Core.Routes;

/// <summary>What the route sweep needs from the configuration.</summary>
/// <param name="Projects">RouteProjects: the BigQuery projects whose jobs are routed.</param>
/// <param name="Lookback">RouteLookbackMin: jobs created longer ago are never routed.</param>
public sealed record RouteSettings(
    IReadOnlyList<string> Projects,
    TimeSpan Lookback,
    bool ListAllUsers,
    int MaxGetsPerCycle,
    int GetParallelism,
    int RouteParallelism)
{
    /// <summary>Records are kept this much longer than the look-back, then removed.</summary>
    public static readonly TimeSpan RecordRetention = TimeSpan.FromDays(1);

    public static RouteSettings From(DispatchConfig config) => new(
        config.RouteProjects.Count > 0 ? config.RouteProjects : [config.ProjectID],
        TimeSpan.FromMinutes(config.RouteLookbackMin),
        config.ListAllUsers,
        config.MaxJobGetsPerCycle,
        config.JobGetParallelism,
        config.HandOffParallelism);
}
