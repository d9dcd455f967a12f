namespace BqDispatch.Core.Groups;

/// <summary>
/// One group to complete (the scan decided it is no longer waiting): its file's URL and generation, the member job the
/// post-action file names (its project, location, end, error and type), the chosen actions (a JSON array, null when the
/// group gave none for this outcome) and, for a failure, <c>Request.Error</c>. Everything a retry needs to write the same
/// object, so it is decided once, in the scan.
/// </summary>
public sealed record GroupCompletion(
    string Name,
    string Url,
    long Generation,
    bool Succeeded,
    string Project,
    string Location,
    string JobId,
    DateTimeOffset Ended,
    string? JobError,
    string? JobType,
    string? Actions,
    string? Error);

/// <summary>Input of the group completion activity: groups to complete now.</summary>
public sealed record GroupBatch(DateTimeOffset Now, IReadOnlyList<GroupCompletion> Groups);

/// <summary>How completing one group ended.</summary>
public enum GroupResult
{
    /// <summary>This call wrote the post-action file (or, for a group without actions for its outcome, completed it).</summary>
    Completed,

    /// <summary>The journal or the post-action file showed it completed before (a retry, or another dispatcher).</summary>
    AlreadyCompleted,

    /// <summary>Another dispatcher started completing it less than a claim's lease ago: looked at again next cycle.</summary>
    InFlightElsewhere,

    /// <summary>A storage call failed, or the name was completed already this hour by another group: the file stays.</summary>
    Failed,
}

/// <param name="Trigger">The post-action file (null when the outcome had no actions).</param>
public sealed record GroupCompleted(string Name, bool Succeeded, GroupResult Result, string? Trigger, string? Error);

/// <summary>What the completion activity did, one entry per group of the batch.</summary>
public sealed record GroupOutcome(IReadOnlyList<GroupCompleted> Groups);
