using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>How many query and load jobs may be active (in a project, or in a lane of it); 0 means unlimited.</summary>
public sealed record ThrottleLimits(int MaxConcurrentSql, int MaxConcurrentLoad)
{
    public static readonly ThrottleLimits None = new(0, 0);

    /// <summary>True when some kind is limited.</summary>
    public bool Any => MaxConcurrentSql > 0 || MaxConcurrentLoad > 0;

    /// <summary>The limit that holds back work of this kind; copy, export and others are never held back.</summary>
    public int For(JobKind kind) => kind switch
    {
        JobKind.Query => MaxConcurrentSql,
        JobKind.Load => MaxConcurrentLoad,
        _ => 0,
    };

    /// <summary>The configuration key of the limit of this kind.</summary>
    public static string KeyFor(JobKind kind) => kind == JobKind.Query ? "MaxConcurrentSQL" : "MaxConcurrentLoad";
}
