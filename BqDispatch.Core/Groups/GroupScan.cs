namespace BqDispatch.Core.Groups;

/// <summary>
/// The groups one scan found, bounded: the waiting ones soonest deadline first (at most <see cref="MaxListed"/>), the ones
/// to complete (at most the scan's chunk), with totals, and how many group files could not be used.
/// </summary>
public sealed record GroupScan
{
    public const int MaxListed = 100;

    public static readonly GroupScan None = new();

    public IReadOnlyList<GroupView> Waiting { get; init; } = [];

    public int WaitingTotal { get; init; }

    public IReadOnlyList<DueGroup> Due { get; init; } = [];

    public int DueTotal { get; init; }

    /// <summary>Group files that are malformed (reported by name in the scan's errors) and left alone.</summary>
    public int Malformed { get; init; }
}

/// <summary>A group to complete: how the scan saw it, and what completing it writes.</summary>
public sealed record DueGroup(GroupView View, GroupCompletion Completion);
