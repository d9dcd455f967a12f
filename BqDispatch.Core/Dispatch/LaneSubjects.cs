using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// What lane assignment sees of each piece of work and of each active BigQuery job, in one spelling, so that the jobs
/// an admission causes fall in the lane that admitted it: destination tables in bqtail's decoded form (<c>ds.t</c> →
/// <c>ds_t</c>, <c>p:ds.t</c> → <c>p_ds_t</c>), actions as bqtail names them.
/// </summary>
public static class LaneSubjects
{
    /// <summary>A trace: the destination its job id names, its action, its folder's project and region.</summary>
    public static LaneSubject Of(TraceWork trace) =>
        new(Dests(JobIdCodec.Parse(trace.JobId).DestTable), trace.Action, trace.Project, trace.Region);

    /// <summary>A window: the destination its name starts with; its batch is a load; windows have no region.</summary>
    public static LaneSubject Of(WindowWork window) =>
        new(WindowName.TryParse(window.ObjectName, out var name) ? Dests(JobIdCodec.Decode(name!.DestTable)) : [], "load", window.Project, "");

    /// <summary>
    /// An active job: the destination its bqtail job id names (a load into a temporary table still names the table the
    /// trace was for) and its destination table as <c>dataset_table</c> and <c>project_dataset_table</c>, skipping the
    /// anonymous tables of queries without one; its bqtail action, else its type's.
    /// </summary>
    public static LaneSubject Of(string project, JobSnapshot job)
    {
        var info = JobIdCodec.Parse(job.JobId);
        var bqtail = info.EventId.Length > 0 && info.Action != JobIdCodec.NopAction;
        var dests = new List<string>();
        if (bqtail && info.DestTable.Length > 0)
        {
            dests.Add(info.DestTable);
        }

        if (job.Destination is { } table && !table.DatasetId.StartsWith('_'))
        {
            dests.Add(JobIdCodec.Decode($"{table.DatasetId}.{table.TableId}"));
            dests.Add(JobIdCodec.Decode($"{table.ProjectId}:{table.DatasetId}.{table.TableId}"));
        }

        return new LaneSubject(dests, bqtail ? info.Action : ActionOf(job.Type), project, job.Location ?? "");
    }

    private static IReadOnlyList<string> Dests(string decoded) => decoded.Length > 0 ? [decoded] : [];

    private static string ActionOf(JobType type) => type switch
    {
        JobType.Query => "query",
        JobType.Load => "load",
        JobType.Copy => "copy",
        JobType.Extract => "export",
        _ => "other",
    };
}
