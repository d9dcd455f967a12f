using BqDispatch.Core.BigQuery;

namespace BqDispatch.Tests.BigQuery;

/// <summary>Every page of a jobs.list call at once, for tests that look at a whole listing.</summary>
internal static class JobsClientListing
{
    public static async Task<ListedJobs> List(this IJobsClient client, JobListQuery query, CancellationToken cancellation)
    {
        var jobs = new List<JobSnapshot>();
        var unreachable = new List<string>();
        var pages = 0;
        await foreach (var page in client.ListPages(query, cancellation))
        {
            pages++;
            jobs.AddRange(page.Jobs);
            unreachable.AddRange(page.Unreachable.Where(location => !unreachable.Contains(location, StringComparer.Ordinal)));
        }

        return new ListedJobs(jobs, pages, unreachable);
    }
}

/// <summary>All pages of a jobs.list call; <paramref name="Pages"/> is the number of HTTP pages read.</summary>
internal sealed record ListedJobs(IReadOnlyList<JobSnapshot> Jobs, int Pages, IReadOnlyList<string> Unreachable);
