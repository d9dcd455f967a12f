using BqDispatch.Core.Groups;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// One group in the status document (<c>Groups.&lt;name&gt;</c>): its members, those DONE by the deadline and those of
/// them that failed, the first missing ones (not DONE yet, or not known to BigQuery: <see cref="NotFound"/> of them), its
/// age and deadline, and whether this run completed it (and how).
/// </summary>
public sealed class GroupStatus
{
    public int Members { get; set; }

    public int Done { get; set; }

    public int Failed { get; set; }

    public List<string> Missing { get; set; } = [];

    public int NotFound { get; set; }

    public long AgeSec { get; set; }

    public long DeadlineSec { get; set; }

    public bool Open { get; set; }

    public bool Completed { get; set; }

    /// <summary>"success" or "failure" (the branch written) once completed; empty before.</summary>
    public string Outcome { get; set; } = "";

    public static GroupStatus Of(GroupView view, DateTimeOffset now) => new()
    {
        Members = view.Members,
        Done = view.Done,
        Failed = view.Failed,
        Missing = [.. view.Missing],
        NotFound = view.NotFound,
        AgeSec = (long)Math.Max(0, (now - view.Created).TotalSeconds),
        DeadlineSec = (long)(view.Deadline - view.Created).TotalSeconds,
        Open = view.Open,
    };
}
