using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>A traced job whose state is wanted.</summary>
public sealed record JobLookup(string Project, string Region, string JobId, DateTimeOffset TraceCreated);

/// <summary>
/// What is known about traced jobs after one resolution, whatever the source (jobs.list sweep, jobs.get,
/// and later completion events): the classification only asks <see cref="StateOf"/>.
/// </summary>
public sealed class JobStates
{
    private readonly Dictionary<string, JobState> known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> ended = new(StringComparer.Ordinal);
    private readonly HashSet<string> notFound = new(StringComparer.Ordinal);

    public Dictionary<string, ProjectObservation> Projects { get; } = new(StringComparer.Ordinal);

    public List<string> Errors { get; } = [];

    public int ListCalls { get; set; }

    public int ListPages { get; set; }

    public int GetCalls { get; set; }

    public TimeSpan ListTime { get; set; }

    public void Know(string project, string jobId, JobState state, DateTimeOffset? endedAt = null)
    {
        known[Key(project, jobId)] = state;
        if (endedAt is { } end)
        {
            ended[Key(project, jobId)] = end;
        }
    }

    /// <summary>When the job finished, if BigQuery said.</summary>
    public DateTimeOffset? EndOf(string project, string jobId) => ended.TryGetValue(Key(project, jobId), out var end) ? end : null;

    public void NotFound(string project, string jobId) => notFound.Add(Key(project, jobId));

    /// <summary>The job's state, <see cref="JobStatus.NotFound"/> when BigQuery said it does not know it, or <see cref="JobStatus.Unknown"/>.</summary>
    public JobStatus StateOf(string project, string jobId)
    {
        var key = Key(project, jobId);
        if (known.TryGetValue(key, out var state))
        {
            return state switch
            {
                JobState.Done => JobStatus.Done,
                JobState.Running => JobStatus.Running,
                _ => JobStatus.Pending,
            };
        }

        return notFound.Contains(key) ? JobStatus.NotFound : JobStatus.Unknown;
    }

    public bool IsKnown(string project, string jobId) => StateOf(project, jobId) != JobStatus.Unknown;

    private static string Key(string project, string jobId) => project + "\n" + jobId;
}

public enum JobStatus
{
    Unknown,
    Pending,
    Running,
    Done,
    NotFound,
}

/// <summary>Active jobs BigQuery showed in one project: for the throttle and for the status document.</summary>
public sealed record ProjectObservation(ObservedJobs Observed, KindCounts Running, KindCounts Pending);
