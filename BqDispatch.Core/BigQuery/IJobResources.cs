using System.Text.Json;

namespace BqDispatch.Core.BigQuery;

/// <summary>
/// Jobs as BigQuery returns them (projection=full, every field): what a route's post-action file carries and its rule
/// matches on. Kept apart from <see cref="IJobsClient"/>, whose callers need only the few fields of a snapshot.
/// </summary>
public interface IJobResources
{
    /// <summary>Lists jobs of one project a page at a time, newest first, each as the job resource BigQuery sent.</summary>
    IAsyncEnumerable<JobResourcePage> ListResources(JobListQuery query, CancellationToken cancellation);

    /// <summary>Gets one job resource; <c>null</c> when BigQuery answers 404 notFound.</summary>
    Task<JsonElement?> GetResource(string projectId, string jobId, string? location, CancellationToken cancellation);
}

/// <summary>One page of a full jobs.list call.</summary>
public sealed record JobResourcePage(IReadOnlyList<JsonElement> Jobs, IReadOnlyList<string> Unreachable);
