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
    private readonly Dictionary<string, Dictionary<string, EmulatedJob>> projects = new(StringComparer.Ordinal);
    private readonly List<string> unreachable = [];

    public void AddProject(string projectId)
    {
        lock (gate)
        {
            projects.TryAdd(projectId, new Dictionary<string, EmulatedJob>(StringComparer.Ordinal));
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
                jobs = new Dictionary<string, EmulatedJob>(StringComparer.Ordinal);
                projects.Add(job.ProjectId, jobs);
            }

            if (!jobs.TryAdd(job.JobId, job))
            {
                throw new InvalidOperationException($"Job {job.ProjectId}:{job.JobId} already exists.");
            }
        }
    }

    public EmulatedJob Update(string projectId, string jobId, Func<EmulatedJob, EmulatedJob> update)
    {
        lock (gate)
        {
            if (!projects.TryGetValue(projectId, out var jobs) || !jobs.TryGetValue(jobId, out var job))
            {
                throw new KeyNotFoundException($"No job {projectId}:{jobId}.");
            }

            var updated = update(job);
            if (updated.ProjectId != projectId || updated.JobId != jobId)
            {
                throw new InvalidOperationException("An update cannot change the project or job id.");
            }

            jobs[jobId] = updated;
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
            return projectFound && jobs!.TryGetValue(jobId, out var job) ? job : null;
        }
    }

    /// <summary>One page of jobs.list, newest first; null when the project is unknown.</summary>
    public ListPage? List(string projectId, ListFilter filter, DateTimeOffset now)
    {
        lock (gate)
        {
            if (!projects.TryGetValue(projectId, out var jobs))
            {
                return null;
            }

            var matching = jobs.Values
                .Where(job => !unreachable.Contains(job.Location, StringComparer.OrdinalIgnoreCase))
                .Where(job => filter.ParentJobId is null ? job.ParentJobId is null : job.ParentJobId == filter.ParentJobId)
                .Where(job => filter.OnlyUser is null || string.Equals(job.UserEmail, filter.OnlyUser, StringComparison.OrdinalIgnoreCase))
                .Select(job => (View: new JobView(job, job.StateAt(now)), Ms: job.Created.ToUnixTimeMilliseconds()))
                .Where(item => filter.States is null || filter.States.Contains(item.View.State))
                .Where(item => (filter.MinCreatedMs is not { } min || item.Ms >= min) && (filter.MaxCreatedMs is not { } max || item.Ms <= max))
                .Where(item => filter.After is not { } after
                               || item.Ms < after.CreatedMs
                               || (item.Ms == after.CreatedMs && string.CompareOrdinal(item.View.Job.JobId, after.JobId) > 0))
                .OrderByDescending(item => item.Ms)
                .ThenBy(item => item.View.Job.JobId, StringComparer.Ordinal)
                .Take(filter.PageSize + 1)
                .ToList();

            var page = matching.Take(filter.PageSize).ToList();
            var next = matching.Count > filter.PageSize ? new PageCursor(page[^1].Ms, page[^1].View.Job.JobId) : null;
            return new ListPage(page.ConvertAll(item => item.View), next, [.. unreachable]);
        }
    }
}
