using System.Text;
using Microsoft.AspNetCore.Builder;

namespace BqDispatch.Emulators.BigQuery;

/// <summary>
/// An in-process fake of BigQuery v2 jobs.list and jobs.get, served over HTTP on 127.0.0.1 with a random port.
/// It keeps the wire details a client can get wrong: repeated lower-case stateFilter, inclusive
/// millisecond creation-time bounds, allUsers and its permission, projection, opaque page tokens, int64 values
/// as strings, newest-first order, the location rule of jobs.get and the Google error envelope. A list page seeks to its
/// cursor, so it costs the same early or late, and honours the fields mask (jobs.get sends the whole job).
/// Not emulated: job insertion, redaction of other users' jobs, job-id uniqueness per location (ids are unique per
/// project here).
/// </summary>
public sealed class BigQueryEmulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly JobStore store;
    private readonly FaultPlan faults;
    private readonly RequestLog log;
    private long latencyTicks;

    private BigQueryEmulator(WebApplication app, JobStore store, FaultPlan faults, RequestLog log, BigQueryEmulatorOptions options, Uri root)
    {
        this.app = app;
        this.store = store;
        this.faults = faults;
        this.log = log;
        Options = options;
        BaseUrl = new Uri(root, "bigquery/v2/");
        HostAndPort = root.Authority;
        Latency = options.Latency;
    }

    /// <summary>Root of the v2 API, e.g. http://127.0.0.1:41234/bigquery/v2/.</summary>
    public Uri BaseUrl { get; }

    /// <summary>"127.0.0.1:port", the value for BIGQUERY_EMULATOR_HOST.</summary>
    public string HostAndPort { get; }

    public BigQueryEmulatorOptions Options { get; }

    /// <summary>The emulator's current time (<see cref="BigQueryEmulatorOptions.Clock"/>).</summary>
    public DateTimeOffset Now => Options.Clock();

    /// <summary>Delay before every response; may be changed while running.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref latencyTicks));
        set => Interlocked.Exchange(ref latencyTicks, value.Ticks);
    }

    /// <summary>Every request answered so far (including injected failures and dropped connections), oldest first.</summary>
    public IReadOnlyList<EmulatorRequest> Requests => log.Snapshot();

    /// <summary>jobs.list requests received (one per page).</summary>
    public int ListCalls => log.ListCalls;

    /// <summary>Jobs jobs.list has read from its projects since the start: the work its pages cost, whatever their latency.</summary>
    public long ListJobsRead => store.ListJobsRead;

    /// <summary>jobs.get requests received.</summary>
    public int GetCalls => log.GetCalls;

    public static async Task<BigQueryEmulator> StartAsync(BigQueryEmulatorOptions? options = null)
    {
        options ??= new BigQueryEmulatorOptions();
        ArgumentNullException.ThrowIfNull(options.Clock);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.CallerEmail);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPageSize, 1);

        var store = new JobStore();
        var faults = new FaultPlan();
        var log = new RequestLog();
        BigQueryEmulator? emulator = null;
        var handlers = new JobsHandlers(store, faults, log, options, () => emulator?.Latency ?? options.Latency);
        var (app, root) = await LoopbackServer.Start(handlers.Handle);
        emulator = new BigQueryEmulator(app, store, faults, log, options, root);
        return emulator;
    }

    /// <summary>Declares a project (idempotent). Requests for undeclared projects get 404 notFound.</summary>
    public void AddProject(string projectId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectId);
        store.AddProject(projectId);
    }

    /// <summary>Adds a job (declaring its project if needed). Throws when the project already has that job id.</summary>
    public void AddJob(EmulatedJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrWhiteSpace(job.ProjectId);
        ArgumentException.ThrowIfNullOrWhiteSpace(job.JobId);
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Location);
        if (job.RunningAt is { } running && job.DoneAt is { } done && done < running)
        {
            throw new ArgumentException("DoneAt is before RunningAt.", nameof(job));
        }

        store.Add(job);
    }

    /// <summary>Replaces a job by <paramref name="update"/>(current), e.g. <c>job =&gt; job with { DoneAt = t }</c>.</summary>
    public EmulatedJob UpdateJob(string projectId, string jobId, Func<EmulatedJob, EmulatedJob> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return store.Update(projectId, jobId, update);
    }

    /// <summary>
    /// Puts a job in <paramref name="state"/> from now on by rewriting its timeline against the clock:
    /// PENDING clears it, RUNNING starts it now, DONE finishes it now (failed when <paramref name="errorReason"/> is set).
    /// </summary>
    public EmulatedJob SetJobState(string projectId, string jobId, EmulatedJobState state, string? errorReason = null, string? errorMessage = null)
    {
        var now = Now;
        return store.Update(projectId, jobId, job => state switch
        {
            EmulatedJobState.Pending => job with { RunningAt = null, DoneAt = null, ErrorReason = null, ErrorMessage = null },
            EmulatedJobState.Running => job with { RunningAt = now, DoneAt = null, ErrorReason = null, ErrorMessage = null },
            _ => job with
            {
                RunningAt = job.RunningAt is { } running && running <= now ? running : now,
                DoneAt = now,
                ErrorReason = errorReason,
                ErrorMessage = errorMessage,
            },
        });
    }

    /// <summary>Every job held now, of all projects (a feed of completion events looks through them).</summary>
    public IReadOnlyList<EmulatedJob> Jobs() => store.Snapshot();

    /// <summary>Removes a job; false when there was none.</summary>
    public bool RemoveJob(string projectId, string jobId) => store.Remove(projectId, jobId);

    /// <summary>Locations reported in jobs.list <c>unreachable</c>; their jobs are left out of lists.</summary>
    public void SetUnreachable(params string[] locations) => store.SetUnreachable(locations);

    /// <summary>Answers the next <paramref name="count"/> requests of <paramref name="route"/> ("list" or "get") with a Google JSON error.</summary>
    public void FailNext(string route, int status, string reason, int count = 1, string? message = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var body = JobsJsonWriter.Error(status, reason, message ?? $"Injected failure: {reason}");
        faults.Enqueue(EmulatorRoutes.Validate(route), new Fault(status, "application/json; charset=UTF-8", body, false), count);
    }

    /// <summary>Answers the next requests of <paramref name="route"/> with an arbitrary body, e.g. a proxy's HTML 502 page.</summary>
    public void FailNextWithBody(string route, int status, string contentType, string body, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(body);
        faults.Enqueue(EmulatorRoutes.Validate(route), new Fault(status, contentType, Encoding.UTF8.GetBytes(body), false), count);
    }

    /// <summary>Aborts the connection of the next <paramref name="count"/> requests of <paramref name="route"/> without a response.</summary>
    public void DropNext(string route, int count = 1) =>
        faults.Enqueue(EmulatorRoutes.Validate(route), new Fault(0, "", [], true), count);

    /// <summary>
    /// From now on answers a random share <paramref name="rate"/> (0–1) of <paramref name="route"/>'s requests with
    /// <paramref name="status"/> and <paramref name="reason"/>, drawn from a <see cref="Random"/> seeded with
    /// <paramref name="seed"/>. Scripted faults go first. A rate of 0 ends it.
    /// </summary>
    public void ErrorRate(string route, double rate, int status, string reason, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        var body = JobsJsonWriter.Error(status, reason, $"Injected failure: {reason}");
        faults.SetRate(EmulatorRoutes.Validate(route), rate, new Fault(status, "application/json; charset=UTF-8", body, false), seed);
    }

    /// <summary>From now on aborts the connection of a random share <paramref name="rate"/> of <paramref name="route"/>'s requests.</summary>
    public void DropRate(string route, double rate, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        faults.SetRate(EmulatorRoutes.Validate(route), rate, new Fault(0, "", [], true), seed);
    }

    /// <summary>Forgets injected failures that have not fired yet and ends the rates.</summary>
    public void ClearFaults() => faults.Clear();

    /// <summary>Clears <see cref="Requests"/>, <see cref="ListCalls"/> and <see cref="GetCalls"/>.</summary>
    public void ResetCounters() => log.Reset();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
