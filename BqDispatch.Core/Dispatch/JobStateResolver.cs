using System.Diagnostics;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>Settings of job-state resolution (from the configuration).</summary>
/// <param name="Lanes">The lanes active jobs are counted in (none configured: all in main).</param>
public sealed record ResolverSettings(
    bool ListAllUsers,
    TimeSpan Lookback,
    int MaxGetsPerCycle,
    int GetParallelism,
    TimeSpan RecentWindow,
    LaneRules? Lanes = null);

/// <summary>
/// Learns the state of traced jobs with as few BigQuery calls as it can: per project, one listing of the active
/// (PENDING/RUNNING) jobs, which also gives the throttle its counts; for the traces it did not show, one listing of DONE
/// jobs created since the oldest of them (capped by the look-back); then jobs.get only for what neither listing showed,
/// oldest first, bounded. Listings are read a page at a time and keep only what the traces need.
/// </summary>
public sealed class JobStateResolver(IJobsClient jobs, ResolverSettings settings)
{
    private const int ProjectParallelism = 4;

    private static readonly JobState[] ActiveStates = [JobState.Pending, JobState.Running];

    private readonly SemaphoreSlim listSlots = new(ProjectParallelism);

    // Learned once per resolver: without bigquery.jobs.listAll, list the dispatcher's own jobs.
    private volatile bool allUsersDenied;

    /// <summary>
    /// Lists the PENDING and RUNNING jobs of <paramref name="project"/>. Throws <see cref="BigQueryException"/> when the
    /// listing fails (status 404: BigQuery does not know the project).
    /// </summary>
    public async Task<ActiveJobs> ListActive(string project, DateTimeOffset now, CancellationToken cancellation)
    {
        var lanes = settings.Lanes ?? LaneRules.None;
        var (active, _) = await ListJobs(
            project, ActiveStates, null, () => new ActiveJobs(project, lanes, now - settings.RecentWindow), (a, page) => a.Add(page), cancellation);
        return active;
    }

    /// <summary>Resolves <paramref name="lookups"/>: traces whose job the active listings did not show.</summary>
    public async Task<JobStates> Resolve(IReadOnlyList<JobLookup> lookups, DateTimeOffset now, CancellationToken cancellation)
    {
        var states = new JobStates();
        var misses = new List<JobLookup>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            lookups.GroupBy(l => l.Project, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ProjectParallelism, CancellationToken = cancellation },
            async (project, ct) =>
            {
                var projectMisses = await ListDone(project.Key, [.. project], states, now, ct);
                lock (misses)
                {
                    misses.AddRange(projectMisses);
                }
            });
        states.ListTime = watch.Elapsed;

        await GetMisses(misses, states, cancellation);
        return states;
    }

    private async Task<List<JobLookup>> ListDone(string project, List<JobLookup> lookups, JobStates states, DateTimeOffset now, CancellationToken ct)
    {
        // Trace files are written before jobs.insert, so a traced job is created after its trace; the minute of margin
        // absorbs clock skew between Cloud Storage and BigQuery.
        var oldest = lookups.Min(l => l.TraceCreated) - TimeSpan.FromMinutes(1);
        var since = oldest > now - settings.Lookback ? oldest : now - settings.Lookback;
        var wanted = lookups.Select(l => l.JobId).ToHashSet(StringComparer.Ordinal);
        try
        {
            var (done, pages) = await ListJobs(
                project,
                [JobState.Done],
                since,
                () => new Dictionary<string, JobSnapshot>(StringComparer.Ordinal),
                (found, page) =>
                {
                    foreach (var job in page.Jobs.Where(j => wanted.Contains(j.JobId)))
                    {
                        found[job.JobId] = job;
                    }
                },
                ct);

            var remaining = new List<JobLookup>();
            lock (states)
            {
                states.ListCalls++;
                states.ListPages += pages;
                foreach (var lookup in lookups)
                {
                    if (done.TryGetValue(lookup.JobId, out var job))
                    {
                        states.Know(project, lookup.JobId, job.State, job.Ended, job.ErrorReason, job.Type);
                    }
                    else
                    {
                        remaining.Add(lookup);
                    }
                }
            }

            return remaining;
        }
        catch (BigQueryException e) when (e.Status == 404)
        {
            Error(states, ActiveListing.UnknownProject(project, e));
            lock (states)
            {
                lookups.ForEach(lookup => states.NotFound(project, lookup.JobId));
            }

            return [];
        }
        catch (BigQueryException e)
        {
            Error(states, ActiveListing.Failure(project, e));
            return [];
        }
    }

    /// <summary>
    /// One listing, a page at a time into what <paramref name="start"/> makes; returns it and the pages read. When listing
    /// every user's jobs is denied, starts over with the dispatcher's own jobs (and remembers that).
    /// </summary>
    private async Task<(T Result, int Pages)> ListJobs<T>(
        string project, JobState[] filter, DateTimeOffset? since, Func<T> start, Action<T, JobListPage> take, CancellationToken ct)
    {
        await listSlots.WaitAsync(ct);
        try
        {
            var allUsers = settings.ListAllUsers && !allUsersDenied;
            try
            {
                return await Read(allUsers);
            }
            catch (BigQueryException e) when (allUsers && e.IsAccessDenied)
            {
                allUsersDenied = true;
                return await Read(allUsers: false);
            }
        }
        finally
        {
            listSlots.Release();
        }

        async Task<(T, int)> Read(bool allUsers)
        {
            var result = start();
            var pages = 0;
            await foreach (var page in jobs.ListPages(new JobListQuery(project, filter, since, null, allUsers), ct))
            {
                take(result, page);
                pages++;
            }

            return (result, pages);
        }
    }

    private async Task GetMisses(List<JobLookup> misses, JobStates states, CancellationToken cancellation)
    {
        var budgeted = misses.OrderBy(m => m.TraceCreated).ThenBy(m => m.JobId, StringComparer.Ordinal).Take(settings.MaxGetsPerCycle).ToList();
        var results = await BoundedParallel.Map(
            budgeted,
            settings.GetParallelism,
            async (miss, ct) =>
            {
                try
                {
                    return (Job: await jobs.Get(miss.Project, miss.JobId, string.IsNullOrEmpty(miss.Region) ? null : miss.Region, ct), Error: (string?)null);
                }
                catch (BigQueryException e)
                {
                    return (Job: (JobSnapshot?)null, Error: $"project {miss.Project}: jobs.get failed for some traced jobs, they wait for a later cycle: {e.Message}");
                }
            },
            cancellation);

        states.GetCalls += results.Length;
        foreach (var (miss, (job, error)) in budgeted.Zip(results))
        {
            if (error is not null)
            {
                Error(states, error);
            }
            else if (job is null)
            {
                states.NotFound(miss.Project, miss.JobId);
            }
            else
            {
                states.Know(miss.Project, miss.JobId, job.State, job.Ended, job.ErrorReason, job.Type);
            }
        }
    }

    private static void Error(JobStates states, string message)
    {
        lock (states)
        {
            if (!states.Errors.Contains(message))
            {
                states.Errors.Add(message);
            }
        }
    }
}
