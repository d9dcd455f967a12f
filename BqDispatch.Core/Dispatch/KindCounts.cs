using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Dispatch;

/// <summary>Counts by bqtail's metric buckets: query, load (and reload), copy, and everything else.</summary>
public sealed record KindCounts(int Query, int Load, int Copy, int Other)
{
    public static readonly KindCounts Zero = new(0, 0, 0, 0);

    public int Total => Query + Load + Copy + Other;

    public KindCounts Add(JobKind kind, int count = 1) => kind switch
    {
        JobKind.Query => this with { Query = Query + count },
        JobKind.Load => this with { Load = Load + count },
        JobKind.Copy => this with { Copy = Copy + count },
        _ => this with { Other = Other + count },
    };

    public KindCounts Plus(KindCounts other) =>
        new(Query + other.Query, Load + other.Load, Copy + other.Copy, Other + other.Other);
}
