using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>A traced job whose state is wanted.</summary>
public sealed record JobLookup(string Project, string Region, string JobId, DateTimeOffset TraceCreated);

/// <summary>
/// What is known about the traced jobs the active listings did not show, whatever the source (jobs.list of DONE
/// jobs, jobs.get, and later completion events): the classification only asks <see cref="StateOf"/>.
/// </summary>
public sealed class JobStates
{
    private readonly Dictionary<string, Dictionary<string, (JobState State, DateTimeOffset? Ended, string? Error, JobType Type)>> known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> notFound = new(StringComparer.Ordinal);

    public List<string> Errors { get; } = [];

    public int ListCalls { get; set; }

    public int ListPages { get; set; }

    public int GetCalls { get; set; }

    public TimeSpan ListTime { get; set; }

    /// <param name="error">errorResult.reason of a failed DONE job (group members report it).</param>
    public void Know(string project, string jobId, JobState state, DateTimeOffset? endedAt = null, string? error = null, JobType type = JobType.Unknown) =>
        Of(known, project, () => new Dictionary<string, (JobState, DateTimeOffset?, string?, JobType)>(StringComparer.Ordinal))[jobId] = (state, endedAt, error, type);

    /// <summary>A DONE job's error reason (null when it succeeded or is not known) and type.</summary>
    public (string? Error, JobType Type) OutcomeOf(string project, string jobId) =>
        known.TryGetValue(project, out var jobs) && jobs.TryGetValue(jobId, out var job) ? (job.Error, job.Type) : (null, JobType.Unknown);

    /// <summary>When the job finished, if BigQuery said.</summary>
    public DateTimeOffset? EndOf(string project, string jobId) =>
        known.TryGetValue(project, out var jobs) && jobs.TryGetValue(jobId, out var job) ? job.Ended : null;

    public void NotFound(string project, string jobId) => Of(notFound, project, () => new HashSet<string>(StringComparer.Ordinal)).Add(jobId);

    /// <summary>The job's state, <see cref="JobStatus.NotFound"/> when BigQuery said it does not know it, or <see cref="JobStatus.Unknown"/>.</summary>
    public JobStatus StateOf(string project, string jobId)
    {
        if (known.TryGetValue(project, out var jobs) && jobs.TryGetValue(jobId, out var job))
        {
            return job.State switch
            {
                JobState.Done => JobStatus.Done,
                JobState.Running => JobStatus.Running,
                _ => JobStatus.Pending,
            };
        }

        return notFound.TryGetValue(project, out var missing) && missing.Contains(jobId) ? JobStatus.NotFound : JobStatus.Unknown;
    }

    private static T Of<T>(Dictionary<string, T> byProject, string project, Func<T> create)
    {
        if (!byProject.TryGetValue(project, out var value))
        {
            value = create();
            byProject[project] = value;
        }

        return value;
    }
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
