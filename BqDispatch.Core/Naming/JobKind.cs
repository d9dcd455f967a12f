using BqDispatch.Core.BigQuery;

namespace BqDispatch.Core.Naming;

/// <summary>The kinds of BigQuery job the dispatcher counts and throttles.</summary>
public enum JobKind
{
    Query,
    Load,
    Copy,
    Export,
    Other,
}

/// <summary>Maps bqtail actions and BigQuery job types to <see cref="JobKind"/>.</summary>
public static class JobKinds
{
    /// <summary>The kind of job a bqtail action submits; reload is a load.</summary>
    public static JobKind FromAction(string action) => action switch
    {
        "query" => JobKind.Query,
        "load" or "reload" => JobKind.Load,
        "copy" => JobKind.Copy,
        "export" => JobKind.Export,
        _ => JobKind.Other,
    };

    /// <summary>The kind of a job as BigQuery reports it (an extract job is an export).</summary>
    public static JobKind FromJobType(JobType type) => type switch
    {
        JobType.Query => JobKind.Query,
        JobType.Load => JobKind.Load,
        JobType.Copy => JobKind.Copy,
        JobType.Extract => JobKind.Export,
        _ => JobKind.Other,
    };
}
