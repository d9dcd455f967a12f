using System.Diagnostics;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Naming;
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
/// Learns the state of traced jobs with as few BigQuery calls as it can: per project, one listing of the
/// active (PENDING/RUNNING) jobs, one listing of DONE jobs created since the oldest trace still unresolved
/// (capped by the look-back), then jobs.get only for what neither listing showed, oldest first, bounded.
/// The active listing also gives the throttle its counts.
/// </summary>
public sealed class JobStateResolver(IJobsClient jobs, ResolverSettings settings)
{
    private const int ProjectParallelism = 4;

    private static readonly JobState[] ActiveStates = [JobState.Pending, JobState.Running];

    private readonly SemaphoreSlim listSlots = new(ProjectParallelism);

    // Learned once per resolver: without bigquery.jobs.listAll, list the dispatcher's own jobs.
    private volatile bool allUsersDenied;

    /// <summary>
    /// Starts listing the active jobs of <paramref name="projects"/> before the traces are known, so the listing
    /// overlaps other work; <see cref="Resolve"/> takes the results (and their failures) from there.
    /// </summary>
    public IReadOnlyDictionary<string, Task<JobListResult>> StartActiveListings(IEnumerable<string> projects, CancellationToken cancellation) =>
        projects.Distinct(StringComparer.Ordinal).ToDictionary(p => p, p => ListJobs(p, ActiveStates, null, cancellation), StringComparer.Ordinal);

    /// <summary>
    /// Resolves <paramref name="lookups"/>; <paramref name="observeOnly"/> are projects that only need their active
    /// counts (due windows); <paramref name="started"/> are active listings already under way.
    /// </summary>
    public async Task<JobStates> Resolve(
        IReadOnlyList<JobLookup> lookups,
        IReadOnlyCollection<string> observeOnly,
        DateTimeOffset now,
        CancellationToken cancellation,
        IReadOnlyDictionary<string, Task<JobListResult>>? started = null)
    {
        started ??= new Dictionary<string, Task<JobListResult>>();
        var states = new JobStates();
        var byProject = lookups.GroupBy(l => l.Project, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var project in observeOnly.Concat(started.Keys).Where(p => !byProject.ContainsKey(p)))
        {
            byProject[project] = [];
        }

        var misses = new List<JobLookup>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            byProject,
            new ParallelOptions { MaxDegreeOfParallelism = ProjectParallelism, CancellationToken = cancellation },
            async (entry, ct) =>
            {
                var projectMisses = await Sweep(entry.Key, entry.Value, started.GetValueOrDefault(entry.Key), states, now, ct);
                lock (misses)
                {
                    misses.AddRange(projectMisses);
                }
            });
        states.ListTime = watch.Elapsed;

        await GetMisses(misses, states, cancellation);
        return states;
    }

    private async Task<List<JobLookup>> Sweep(
        string project, List<JobLookup> lookups, Task<JobListResult>? startedActive, JobStates states, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            var active = Account(states, await (startedActive ?? ListJobs(project, ActiveStates, null, ct)));
            Observe(project, active, states, now);
            var remaining = Record(project, lookups, active, states);
            if (remaining.Count == 0)
            {
                return remaining;
            }

            // Trace files are written before jobs.insert, so a traced job is created after its trace; the
            // minute of margin absorbs clock skew between Cloud Storage and BigQuery.
            var oldest = remaining.Min(l => l.TraceCreated) - TimeSpan.FromMinutes(1);
            var since = oldest > now - settings.Lookback ? oldest : now - settings.Lookback;
            var done = Account(states, await ListJobs(project, [JobState.Done], since, ct));
            return Record(project, remaining, done, states);
        }
        catch (BigQueryException e) when (e.Status == 404)
        {
            Error(states, $"project {project}: BigQuery does not know it (jobs.list: {e.Message}); its traces count as not found");
            foreach (var lookup in lookups)
            {
                lock (states)
                {
                    states.NotFound(project, lookup.JobId);
                }
            }

            return [];
        }
        catch (BigQueryException e)
        {
            Error(states, $"project {project}: jobs.list failed, its traces wait for a later cycle: {e.Message}");
            return [];
        }
    }

    private async Task<JobListResult> ListJobs(string project, JobState[] filter, DateTimeOffset? since, CancellationToken ct)
    {
        await listSlots.WaitAsync(ct);
        try
        {
            var allUsers = settings.ListAllUsers && !allUsersDenied;
            try
            {
                return await jobs.List(new JobListQuery(project, filter, since, null, allUsers), ct);
            }
            catch (BigQueryException e) when (allUsers && e.IsAccessDenied)
            {
                allUsersDenied = true;
                return await jobs.List(new JobListQuery(project, filter, since, null, AllUsers: false), ct);
            }
        }
        finally
        {
            listSlots.Release();
        }
    }

    private static JobListResult Account(JobStates states, JobListResult result)
    {
        lock (states)
        {
            states.ListCalls++;
            states.ListPages += result.Pages;
        }

        return result;
    }

    private void Observe(string project, JobListResult active, JobStates states, DateTimeOffset now)
    {
        var running = KindCounts.Zero;
        var pending = KindCounts.Zero;
        foreach (var job in active.Jobs)
        {
            var kind = JobKinds.FromJobType(job.Type);
            if (job.State == JobState.Running)
            {
                running = running.Add(kind);
            }
            else
            {
                pending = pending.Add(kind);
            }
        }

        // Jobs of every kind: whatever BqTail starts after a hand-off is evidence for the throttle's reservations.
        var observed = LaneObservation.Of(project, active.Jobs, settings.Lanes ?? LaneRules.None, now - settings.RecentWindow);
        lock (states)
        {
            states.Projects[project] = new ProjectObservation(observed, running, pending);
        }
    }

    private static List<JobLookup> Record(string project, List<JobLookup> lookups, JobListResult listed, JobStates states)
    {
        var byId = new Dictionary<string, JobSnapshot>(StringComparer.Ordinal);
        foreach (var job in listed.Jobs)
        {
            byId[job.JobId] = job;
        }

        var remaining = new List<JobLookup>();
        lock (states)
        {
            foreach (var lookup in lookups)
            {
                if (byId.TryGetValue(lookup.JobId, out var job))
                {
                    states.Know(project, lookup.JobId, job.State, job.Ended);
                }
                else
                {
                    remaining.Add(lookup);
                }
            }
        }

        return remaining;
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
                states.Know(miss.Project, miss.JobId, job.State, job.Ended);
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
