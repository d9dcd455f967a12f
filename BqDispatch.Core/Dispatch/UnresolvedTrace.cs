using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// A trace whose job its page could not tell the state of (the project's active listing did not show it): all that
/// resolving and acting on it needs, and no more. Folder strings are shared by the folder's traces.
/// </summary>
public sealed record UnresolvedTrace(TaskFolder Folder, string Url, string JobId, DateTimeOffset Created, long Generation)
{
    public JobLookup Lookup() => new(Folder.Project, Folder.Region, JobId, Created);

    /// <summary>The trace as work to act on: its action read back from the job id, as bqtail reads it.</summary>
    public TraceWork Work(DateTimeOffset? jobEnded = null)
    {
        var action = JobIdCodec.Parse(JobId).Action;
        return new TraceWork(
            Url,
            Folder.RelativePrefix + Url[(Url.LastIndexOf('/') + 1)..],
            Folder.Project,
            Folder.Region,
            JobId,
            action,
            JobKinds.FromAction(action),
            Created,
            Generation,
            jobEnded);
    }
}
