using BqDispatch.Core.Dispatch;

namespace BqDispatch.Core.Groups;

/// <summary>Where a group stands after a cycle.</summary>
public enum GroupProgress
{
    /// <summary>Open, or members are not DONE yet, and the deadline has not passed.</summary>
    Waiting,

    /// <summary>Closed and every member DONE without error: the success actions run.</summary>
    Succeeded,

    /// <summary>Closed and every member DONE, some with an error: the failure actions run.</summary>
    Failed,

    /// <summary>The deadline passed with members missing (or the group still open): the failure actions run.</summary>
    Expired,
}

/// <summary>A group as one cycle sees it: its counts, the first missing members, and where it stands.</summary>
/// <param name="Done">Members DONE by the deadline (with or without error).</param>
/// <param name="Failed">Members DONE by the deadline with an error.</param>
/// <param name="NotFound">Members BigQuery says it does not know (they count as missing).</param>
/// <param name="Missing">The first <see cref="GroupDecision.MaxListedMissing"/> members not DONE by the deadline.</param>
public sealed record GroupView(
    string Name,
    string Url,
    int Members,
    int Done,
    int Failed,
    int NotFound,
    IReadOnlyList<string> Missing,
    bool Open,
    DateTimeOffset Created,
    DateTimeOffset Deadline,
    GroupProgress Progress);

/// <summary>
/// The decision on one group, a pure function of its file, its members' states and the clock. A member counts only when
/// it ended by the deadline, and a deadline is acted on only when every missing member's state is known, so the outcome
/// — and the member the post-action file names, whose end hour and project place it — cannot change between an attempt
/// and its retry: facts about DONE jobs never change, and a job still running at the deadline ends after it.
/// </summary>
public static class GroupDecision
{
    public const int MaxListedMissing = 20;

    /// <summary>At most this many members are named in <c>Request.Error</c>; the rest are counted.</summary>
    public const int MaxNamedInError = 100;

    public static GroupView View(GroupDefinition group, Func<GroupMember, MemberState> stateOf, DateTimeOffset now)
    {
        var done = 0;
        var failed = 0;
        var notFound = 0;
        var unknown = 0;
        var missing = new List<string>();
        foreach (var member in group.Members)
        {
            var state = stateOf(member);
            if (InTime(group, state))
            {
                done++;
                failed += state.Error is null ? 0 : 1;
                continue;
            }

            notFound += state.Status == JobStatus.NotFound ? 1 : 0;
            unknown += state.Status == JobStatus.Unknown ? 1 : 0;
            if (missing.Count < MaxListedMissing)
            {
                missing.Add(member.ToString());
            }
        }

        var progress = (group.Open, done == group.Members.Count) switch
        {
            (false, true) => failed == 0 ? GroupProgress.Succeeded : GroupProgress.Failed,
            _ when now >= group.Deadline && unknown == 0 => GroupProgress.Expired,
            _ => GroupProgress.Waiting,
        };
        return new GroupView(group.Name, group.Url, group.Members.Count, done, failed, notFound, missing, group.Open, group.Created, group.Deadline, progress);
    }

    /// <summary>
    /// What completing a group that is no longer <see cref="GroupProgress.Waiting"/> writes: the member it names (the last
    /// to finish by the deadline; the first listed when none did), the hour of its end (the deadline's hour when none
    /// finished), the branch and, for a failure, <c>Request.Error</c>.
    /// </summary>
    public static GroupCompletion Completion(GroupDefinition group, GroupView view, Func<GroupMember, MemberState> stateOf)
    {
        var finished = group.Members.Select((m, i) => (Member: m, State: stateOf(m), Index: i)).Where(f => InTime(group, f.State)).ToList();
        var last = finished.OrderBy(f => f.State.Ended).ThenBy(f => f.Index).LastOrDefault();
        var named = last.Member ?? group.Members[0];
        var succeeded = view.Progress == GroupProgress.Succeeded;
        return new GroupCompletion(
            group.Name,
            group.Url,
            group.Generation,
            succeeded,
            named.Project,
            named.Location,
            named.JobId,
            last.State?.Ended ?? group.Deadline,
            last.State?.Error,
            last.State?.Type,
            succeeded ? group.OnSuccess : group.OnFailure,
            succeeded ? null : ErrorOf(group, finished.Where(f => f.State.Error is not null).Select(f => $"{f.Member} ({f.State.Error})").ToList(), stateOf));
    }

    /// <summary>Decides every group: the waiting ones and the ones to complete, bounded as <see cref="GroupScan"/> says.</summary>
    public static GroupScan Decide(IReadOnlyList<GroupDefinition> groups, Func<GroupMember, MemberState> stateOf, DateTimeOffset now, int chunk, int malformed)
    {
        var waiting = new List<GroupView>();
        var due = new List<DueGroup>();
        foreach (var group in groups)
        {
            var view = GroupDecision.View(group, stateOf, now);
            if (view.Progress == GroupProgress.Waiting)
            {
                waiting.Add(view);
            }
            else
            {
                due.Add(new DueGroup(view, GroupDecision.Completion(group, view, stateOf)));
            }
        }

        return new GroupScan
        {
            Waiting = [.. waiting.OrderBy(v => v.Deadline).ThenBy(v => v.Name, StringComparer.Ordinal).Take(GroupScan.MaxListed)],
            WaitingTotal = waiting.Count,
            Due = [.. due.OrderBy(d => d.Completion.Ended).ThenBy(d => d.View.Name, StringComparer.Ordinal).Take(chunk)],
            DueTotal = due.Count,
            Malformed = malformed,
        };
    }

    private static bool InTime(GroupDefinition group, MemberState state) =>
        state.Status == JobStatus.Done && (state.Ended is not { } ended || ended <= group.Deadline);

    private static string ErrorOf(GroupDefinition group, List<string> failed, Func<GroupMember, MemberState> stateOf)
    {
        var missing = group.Members.Where(m => !InTime(group, stateOf(m))).Select(m => m.ToString()).ToList();
        var parts = new List<string>();
        if (failed.Count > 0)
        {
            parts.Add($"{failed.Count} of {group.Members.Count} members failed: {Named(failed)}");
        }

        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} of {group.Members.Count} members were not DONE at the deadline {group.Deadline.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: {Named(missing)}");
        }

        if (group.Open && missing.Count == 0)
        {
            parts.Add($"the group was still open at the deadline {group.Deadline.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
        }

        return $"group {group.Name}: {string.Join("; ", parts)}";
    }

    private static string Named(List<string> members) =>
        string.Join(", ", members.Take(MaxNamedInError)) + (members.Count > MaxNamedInError ? $" and {members.Count - MaxNamedInError} more" : "");
}
