using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>How many query and load jobs may be active in one BigQuery project; 0 means unlimited.</summary>
public sealed record ThrottleLimits(int MaxConcurrentSql, int MaxConcurrentLoad)
{
    /// <summary>The limit that holds back work of this kind; copy, export and others are never held back.</summary>
    public int For(JobKind kind) => kind switch
    {
        JobKind.Query => MaxConcurrentSql,
        JobKind.Load => MaxConcurrentLoad,
        _ => 0,
    };
}
