using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// A trace whose job its page could not tell the state of (the project's active listing did not show it): all that
/// resolving and acting on it needs, and no more. Folder strings are shared by the folder's traces.
/// </summary>
/// <param name="Metageneration">As listed: above 1 once a dispatcher claimed the trace.</param>
/// <param name="Updated">As listed: when the trace was written or last claimed.</param>
public sealed record UnresolvedTrace(
    TaskFolder Folder, string Url, string JobId, DateTimeOffset Created, long Generation, long Metageneration, DateTimeOffset Updated)
{
    public UnresolvedTrace(TaskFolder folder, StoredObject listed, string jobId)
        : this(folder, listed.Url, jobId, listed.Created, listed.Generation, listed.Metageneration, listed.Updated)
    {
    }

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
            jobEnded,
            Metageneration: Metageneration,
            Updated: Updated);
    }
}
