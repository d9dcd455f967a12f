using BqDispatch.Core.Dispatch;

namespace BqDispatch.Core.Groups;

/// <summary>
/// What a cycle knows of one member job: its status (<see cref="JobStatus.Unknown"/> when it could not be learned this
/// cycle), and for a DONE job its end, its error (errorResult.reason; null when it succeeded) and its type.
/// </summary>
public sealed record MemberState(JobStatus Status, DateTimeOffset? Ended = null, string? Error = null, string? Type = null)
{
    public static readonly MemberState Unknown = new(JobStatus.Unknown);

    public static readonly MemberState Running = new(JobStatus.Running);
}
