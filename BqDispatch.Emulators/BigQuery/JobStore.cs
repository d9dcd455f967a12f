using System.Globalization;
using System.Text;

namespace BqDispatch.Emulators.BigQuery;

/// <summary>What a jobs.list page asks for, already validated.</summary>
internal sealed record ListFilter(
    IReadOnlySet<EmulatedJobState>? States,
    long? MinCreatedMs,
    long? MaxCreatedMs,
    string? OnlyUser,
    string? ParentJobId,
    int PageSize,
    PageCursor? After);

/// <summary>Position after the last job of a page, in list order (creation time descending, then job id).</summary>
internal sealed record PageCursor(long CreatedMs, string JobId)
{
    private const string Version = "v1";

    public string ToToken() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Version}:{CreatedMs.ToString(CultureInfo.InvariantCulture)}:{JobId}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static PageCursor? FromToken(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split(':', 3);
            return parts.Length == 3 && parts[0] == Version
                   && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? new PageCursor(ms, parts[2])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>A job together with its state at the time of the request.</summary>
internal sealed record JobView(EmulatedJob Job, EmulatedJobState State);

internal sealed record ListPage(IReadOnlyList<JobView> Jobs, PageCursor? Next, IReadOnlyList<string> Unreachable);

/// <summary>Projects and jobs of the emulator. Thread-safe; every method takes one lock.</summary>
internal sealed class JobStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, ProjectJobs> projects = new(StringComparer.Ordinal);
    private readonly List<string> unreachable = [];
    private long listJobsRead;

    /// <summary>Jobs jobs.list has read from the projects since the start: the work its pages cost.</summary>
    public long ListJobsRead
    {
        get
        {
            lock (gate)
            {
                return listJobsRead;
            }
        }
    }

    public void AddProject(string projectId)
    {
        lock (gate)
        {
            projects.TryAdd(projectId, new ProjectJobs());
        }
    }

    public List<EmulatedJob> Snapshot()
    {
        lock (gate)
        {
            return [.. projects.Values.SelectMany(p => p.All)];
        }
    }

    public bool HasProject(string projectId)
    {
        lock (gate)
        {
            return projects.ContainsKey(projectId);
        }
    }

    public void Add(EmulatedJob job)
    {
        lock (gate)
        {
            if (!projects.TryGetValue(job.ProjectId, out var jobs))
            {
                jobs = new ProjectJobs();
                projects.Add(job.ProjectId, jobs);
            }

            if (!jobs.TryAdd(job))
            {
                throw new InvalidOperationException($"Job {job.ProjectId}:{job.JobId} already exists.");
            }
        }
    }

    public EmulatedJob Update(string projectId, string jobId, Func<EmulatedJob, EmulatedJob> update)
    {
        lock (gate)
        {
            if (!projects.TryGetValue(projectId, out var jobs) || jobs.Find(jobId) is not { } job)
            {
                throw new KeyNotFoundException($"No job {projectId}:{jobId}.");
            }

            var updated = update(job);
            if (updated.ProjectId != projectId || updated.JobId != jobId)
            {
                throw new InvalidOperationException("An update cannot change the project or job id.");
            }

            jobs.Replace(updated);
            return updated;
        }
    }

    public bool Remove(string projectId, string jobId)
    {
        lock (gate)
        {
            return projects.TryGetValue(projectId, out var jobs) && jobs.Remove(jobId);
        }
    }

    public void SetUnreachable(IEnumerable<string> locations)
    {
        lock (gate)
        {
            unreachable.Clear();
            unreachable.AddRange(locations);
        }
    }

    /// <summary>The job, or null when the project or job is unknown; <paramref name="projectFound"/> tells which.</summary>
    public EmulatedJob? Find(string projectId, string jobId, out bool projectFound)
    {
        lock (gate)
        {
            projectFound = projects.TryGetValue(projectId, out var jobs);
            return projectFound ? jobs!.Find(jobId) : null;
        }
    }

    /// <summary>
    /// One page of jobs.list, newest first; null when the project is unknown. The page seeks to its cursor (or to
    /// maxCreationTime) and stops at minCreationTime, so it reads about as many jobs as it returns, early or late.
    /// </summary>
    public ListPage? List(string projectId, ListFilter filter, DateTimeOffset now)
    {
        lock (gate)
        {
            if (!projects.TryGetValue(projectId, out var jobs))
            {
                return null;
            }

            var start = filter.After is { } after ? (after.CreatedMs, after.JobId) : (filter.MaxCreatedMs ?? long.MaxValue, "");
            var matching = new List<JobView>();
            foreach (var job in jobs.From(start))
            {
                listJobsRead++;
                var ms = job.Created.ToUnixTimeMilliseconds();
                if (filter.MinCreatedMs is { } min && ms < min)
                {
                    break;
                }

                var view = new JobView(job, job.StateAt(now));
                if ((filter.After is null || ms != filter.After.CreatedMs || job.JobId != filter.After.JobId)
                    && (filter.MaxCreatedMs is not { } max || ms <= max)
                    && !unreachable.Contains(job.Location, StringComparer.OrdinalIgnoreCase)
                    && (filter.ParentJobId is null ? job.ParentJobId is null : job.ParentJobId == filter.ParentJobId)
                    && (filter.OnlyUser is null || string.Equals(job.UserEmail, filter.OnlyUser, StringComparison.OrdinalIgnoreCase))
                    && (filter.States is null || filter.States.Contains(view.State)))
                {
                    matching.Add(view);
                    if (matching.Count > filter.PageSize)
                    {
                        break;
                    }
                }
            }

            var page = matching.Take(filter.PageSize).ToList();
            var next = matching.Count > filter.PageSize ? new PageCursor(page[^1].Job.Created.ToUnixTimeMilliseconds(), page[^1].Job.JobId) : null;
            return new ListPage(page, next, [.. unreachable]);
        }
    }
}
