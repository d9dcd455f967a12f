namespace BqDispatch.Core.BigQuery;

/// <summary>The two BigQuery job calls the dispatcher makes: jobs.list and jobs.get (REST v2).</summary>
public interface IJobsClient
{
    /// <summary>Lists jobs of one project a page at a time, newest first; the next page is read only when the caller asks for it.</summary>
    IAsyncEnumerable<JobListPage> ListPages(JobListQuery query, CancellationToken cancellation);

    /// <summary>Gets one job; <c>null</c> when BigQuery answers 404 notFound. Other failures throw <see cref="BigQueryException"/>.</summary>
    Task<JobSnapshot?> Get(string projectId, string jobId, string? location, CancellationToken cancellation);
}

/// <summary>BigQuery job state as the API spells it.</summary>
public enum JobState
{
    Pending,
    Running,
    Done,
}

/// <summary>configuration.jobType of a job (Unknown when the projection or the API did not say).</summary>
public enum JobType
{
    Unknown,
    Query,
    Load,
    Copy,
    Extract,
}

/// <summary>What the dispatcher knows about one BigQuery job.</summary>
/// <param name="ErrorReason">errorResult.reason of a failed DONE job, else null.</param>
/// <param name="Ended">statistics.endTime of a DONE job, when BigQuery gave it.</param>
/// <param name="Destination">configuration.(load|query|copy).destinationTable, when the listing brought it (active jobs).</param>
public sealed record JobSnapshot(
    string ProjectId,
    string JobId,
    string? Location,
    JobState State,
    JobType Type,
    DateTimeOffset Created,
    string? ErrorReason = null,
    DateTimeOffset? Ended = null,
    TableReference? Destination = null);

/// <summary>A BigQuery table: projectId, datasetId, tableId.</summary>
public sealed record TableReference(string ProjectId, string DatasetId, string TableId);

/// <summary>A jobs.list call. Creation times are inclusive bounds (ms precision on the wire).</summary>
public sealed record JobListQuery(
    string ProjectId,
    IReadOnlyList<JobState> States,
    DateTimeOffset? MinCreated,
    DateTimeOffset? MaxCreated,
    bool AllUsers);

/// <summary>One page of a jobs.list call (one HTTP request).</summary>
/// <param name="Unreachable">Locations BigQuery reported as unreachable.</param>
public sealed record JobListPage(IReadOnlyList<JobSnapshot> Jobs, IReadOnlyList<string> Unreachable);
