using BqDispatch.Core.BigQuery;

namespace BqDispatch.Core.Dispatch;

/// <summary>How one project's listing of active jobs ended: with its <see cref="Jobs"/>, or with an <see cref="Error"/>.</summary>
/// <param name="ProjectUnknown">BigQuery does not know the project (404): its traces count as not found.</param>
/// <param name="Elapsed">How long the listing took.</param>
public sealed record ActiveListing(ActiveJobs? Jobs, bool ProjectUnknown, string? Error, TimeSpan Elapsed)
{
    public static string UnknownProject(string project, BigQueryException e) =>
        $"project {project}: BigQuery does not know it (jobs.list: {e.Message}); its traces count as not found";

    public static string Failure(string project, BigQueryException e) =>
        $"project {project}: jobs.list failed, its traces wait for a later cycle: {e.Message}";
}
