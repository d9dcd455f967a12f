using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BqDispatch.Core.Google;
using BqDispatch.Core.Naming;

namespace BqDispatch.Core.BigQuery;

/// <summary>
/// <see cref="IJobsClient"/> over the BigQuery REST v2 API with a plain <see cref="HttpClient"/>.
/// Authentication and retries belong to the handlers of the <see cref="HttpClient"/> the caller supplies;
/// this class makes exactly one HTTP call per page or get and maps failures to <see cref="BigQueryException"/>.
/// </summary>
public sealed class JobsRestClient : IJobsClient, IJobResources
{
    /// <summary>The Google endpoint (global; lists jobs of every location).</summary>
    public const string DefaultBaseUrl = "https://bigquery.googleapis.com/bigquery/v2/";

    /// <summary>Environment variable pointing BigQuery calls at an emulator: <c>host:port</c> or <c>http://host:port</c>.</summary>
    public const string EmulatorHostVariable = "BIGQUERY_EMULATOR_HOST";

    /// <summary>Default jobs.list maxResults.</summary>
    public const int DefaultPageSize = 1000;

    /// <summary>Partial-response mask of jobs.list: only what <see cref="JobSnapshot"/> needs, plus paging.</summary>
    public const string ListFieldsMask =
        "nextPageToken,unreachable,jobs(jobReference,state,errorResult,configuration/jobType,statistics(creationTime,endTime))";

    /// <summary>
    /// The mask of a listing of active jobs only: it also brings each job's destination table, which a lane's active
    /// count needs; DONE listings, much longer, do without.
    /// </summary>
    public const string ActiveListFieldsMask =
        "nextPageToken,unreachable,jobs(jobReference,state,errorResult,configuration(jobType,load/destinationTable,query/destinationTable,copy/destinationTable),statistics(creationTime,endTime))";

    private readonly HttpClient http;

    public JobsRestClient(HttpClient http, string baseUrl = DefaultBaseUrl, int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        this.http = http;
        BaseUrl = ServiceEndpoint.Root(baseUrl);
        PageSize = pageSize;
    }

    /// <summary>Root of the v2 API, ending with '/'.</summary>
    public Uri BaseUrl { get; }

    /// <summary>maxResults sent on every jobs.list page.</summary>
    public int PageSize { get; }

    /// <summary>
    /// The base URL to use given the process environment: <c>http://host:port/bigquery/v2/</c> when
    /// <c>BIGQUERY_EMULATOR_HOST</c> is set (to <c>host:port</c> or a full <c>http(s)://host:port</c> URL, whose
    /// path is ignored), else <see cref="DefaultBaseUrl"/>.
    /// </summary>
    public static string BaseUrlFrom(IReadOnlyDictionary<string, string?> environment) =>
        ServiceEndpoint.FromEnvironment(environment, EmulatorHostVariable, DefaultBaseUrl, "/bigquery/v2/");

    public async IAsyncEnumerable<JobListPage> ListPages(JobListQuery query, [EnumeratorCancellation] CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        var operation = $"jobs.list {query.ProjectId}";
        RefuseUnsafe(operation, query.ProjectId, null);

        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? pageToken = null;
        var pages = 0;
        do
        {
            var page = await Send(ListUri(query, pageToken), operation, BigQueryJsonContext.Default.JobListResponse, false, cancellation)
                ?? throw new InvalidOperationException("Send returns null only for a 404 when asked to.");
            pages++;
            var jobs = (page.Jobs ?? []).Select(job => ToSnapshot(job, query.ProjectId, operation)).ToList();
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
            if (pageToken is not null && !seenTokens.Add(pageToken))
            {
                throw Invalid(operation, $"page {pages} repeated an earlier nextPageToken");
            }

            yield return new JobListPage(jobs, page.Unreachable ?? []);
        }
        while (pageToken is not null);
    }

    public async IAsyncEnumerable<JobResourcePage> ListResources(JobListQuery query, [EnumeratorCancellation] CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        var operation = $"jobs.list {query.ProjectId}";
        RefuseUnsafe(operation, query.ProjectId, null);

        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? pageToken = null;
        do
        {
            var page = await Send(ListUri(query, pageToken, full: true), operation, BigQueryJsonContext.Default.JobResourceListResponse, false, cancellation)
                ?? throw new InvalidOperationException("Send returns null only for a 404 when asked to.");
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
            if (pageToken is not null && !seenTokens.Add(pageToken))
            {
                throw Invalid(operation, $"a page repeated an earlier nextPageToken");
            }

            yield return new JobResourcePage(page.Jobs ?? [], page.Unreachable ?? []);
        }
        while (pageToken is not null);
    }

    public async Task<JsonElement?> GetResource(string projectId, string jobId, string? location, CancellationToken cancellation)
    {
        var operation = $"jobs.get {projectId}:{jobId}";
        RefuseUnsafe(operation, projectId, jobId);
        var job = await Send(GetUri(projectId, jobId, location), operation, BigQueryJsonContext.Default.JobResourceBody, true, cancellation);
        return job?.Job;
    }

    public async Task<JobSnapshot?> Get(string projectId, string jobId, string? location, CancellationToken cancellation)
    {
        var operation = $"jobs.get {projectId}:{jobId}";
        RefuseUnsafe(operation, projectId, jobId);
        var job = await Send(GetUri(projectId, jobId, location), operation, BigQueryJsonContext.Default.JobResource, true, cancellation);
        return job is null ? null : ToSnapshot(job, projectId, operation);
    }

    /// <param name="full">Every field of each job (no fields mask): the resource as BigQuery has it.</param>
    internal Uri ListUri(JobListQuery query, string? pageToken, bool full = false)
    {
        var url = new StringBuilder(BaseUrl.AbsoluteUri)
            .Append("projects/").Append(Uri.EscapeDataString(query.ProjectId)).Append("/jobs")
            .Append("?allUsers=").Append(query.AllUsers ? "true" : "false")
            .Append("&projection=full")
            .Append("&maxResults=").Append(PageSize.ToString(CultureInfo.InvariantCulture));
        foreach (var state in query.States.Distinct())
        {
            url.Append("&stateFilter=").Append(WireName(state));
        }

        if (query.MinCreated is { } min)
        {
            url.Append("&minCreationTime=").Append(Milliseconds(min));
        }

        if (query.MaxCreated is { } max)
        {
            url.Append("&maxCreationTime=").Append(Milliseconds(max));
        }

        if (!full)
        {
            var mask = query.States.Contains(JobState.Done) ? ListFieldsMask : ActiveListFieldsMask;
            url.Append("&fields=").Append(Uri.EscapeDataString(mask));
        }

        url.Append("&prettyPrint=false");
        if (pageToken is not null)
        {
            url.Append("&pageToken=").Append(Uri.EscapeDataString(pageToken));
        }

        return new Uri(url.ToString());
    }

    internal Uri GetUri(string projectId, string jobId, string? location)
    {
        var url = new StringBuilder(BaseUrl.AbsoluteUri)
            .Append("projects/").Append(Uri.EscapeDataString(projectId))
            .Append("/jobs/").Append(Uri.EscapeDataString(jobId))
            .Append("?prettyPrint=false");
        if (!string.IsNullOrEmpty(location))
        {
            url.Append("&location=").Append(Uri.EscapeDataString(location));
        }

        return new Uri(url.ToString());
    }

    /// <summary>
    /// Ids go into the request path: one that is not a project or job id ('.', '..', '/', empty) would rewrite the URL,
    /// so it is refused here too, whatever the caller checked.
    /// </summary>
    private static void RefuseUnsafe(string operation, string? projectId, string? jobId)
    {
        if (!ProjectId.IsValid(projectId))
        {
            throw new BigQueryException(400, "invalid", $"{operation}: '{projectId}' is not a BigQuery project id ({ProjectId.Rule})");
        }

        if (jobId is not null && !JobIdCodec.IsValidJobId(jobId))
        {
            throw new BigQueryException(400, "invalid", $"{operation}: '{jobId}' is not a BigQuery job id (letters, digits, '_' and '-')");
        }
    }

    private static string WireName(JobState state) => state switch
    {
        JobState.Pending => "pending",
        JobState.Running => "running",
        JobState.Done => "done",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };

    // uint64 on the wire: times before the epoch are sent as 0.
    private static string Milliseconds(DateTimeOffset time) =>
        Math.Max(0, time.ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture);

    private static JobSnapshot ToSnapshot(JobResource job, string requestedProject, string operation)
    {
        var reference = job.JobReference;
        if (string.IsNullOrEmpty(reference?.JobId))
        {
            throw Invalid(operation, "a job has no jobReference.jobId");
        }

        var stateText = !string.IsNullOrEmpty(job.State) ? job.State : job.Status?.State;
        JobState state = stateText?.ToUpperInvariant() switch
        {
            "PENDING" => JobState.Pending,
            "RUNNING" => JobState.Running,
            "DONE" => JobState.Done,
            _ => throw Invalid(operation, $"job {reference.JobId} has state '{stateText}'"),
        };

        var type = job.Configuration?.JobType?.ToUpperInvariant() switch
        {
            "QUERY" => JobType.Query,
            "LOAD" => JobType.Load,
            "COPY" => JobType.Copy,
            "EXTRACT" => JobType.Extract,
            _ => JobType.Unknown,
        };

        // BigQuery always sets creationTime; a job without one (a redacted item, say) reads as the epoch.
        DateTimeOffset created;
        try
        {
            created = job.Statistics?.CreationTime is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Invalid(operation, $"job {reference.JobId} has creationTime {job.Statistics?.CreationTime} out of range", e);
        }

        // endTime is set once the job is DONE; it measures how late the dispatcher noticed.
        var ended = state == JobState.Done && job.Statistics?.EndTime is { } endMs and > 0 and < 253402300800000
            ? DateTimeOffset.FromUnixTimeMilliseconds(endMs)
            : (DateTimeOffset?)null;

        var errorReason = state == JobState.Done
            ? NullIfEmpty(job.ErrorResult?.Reason) ?? NullIfEmpty(job.Status?.ErrorResult?.Reason)
            : null;

        return new JobSnapshot(
            NullIfEmpty(reference.ProjectId) ?? requestedProject,
            reference.JobId,
            NullIfEmpty(reference.Location),
            state,
            type,
            created,
            errorReason,
            ended,
            Destination(job.Configuration));
    }

    private static TableReference? Destination(JobConfigurationWire? configuration) =>
        (configuration?.Load ?? configuration?.Query ?? configuration?.Copy)?.DestinationTable is
        { ProjectId: { Length: > 0 } project, DatasetId: { Length: > 0 } dataset, TableId: { Length: > 0 } table }
            ? new TableReference(project, dataset, table)
            : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>
    /// One GET; the parsed 2xx body, or null for a 404 when <paramref name="notFoundIsNull"/>. The whole response is read
    /// within the call (headers and body), so the client's timeout and the retry handler's attempt timeout bound it.
    /// </summary>
    private async Task<T?> Send<T>(Uri uri, string operation, JsonTypeInfo<T> type, bool notFoundIsNull, CancellationToken cancellation)
        where T : class, IWireResponse
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellation);
            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorFrom(response, operation, cancellation);
            }

            if (response.Content.Headers.ContentType?.MediaType is { } media && !media.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid(operation, $"the body is {media}, not JSON");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            var parsed = await JsonSerializer.DeserializeAsync(body, type, cancellation)
                ?? throw Invalid(operation, "the body is JSON null");

            // A proxy or a broken front end may answer 200 with Google's error envelope: that is no result.
            return parsed.Error is { } error
                ? throw Invalid(operation, "a 2xx answer carries an error: " + GoogleErrorParser.Describe(error, (int)response.StatusCode))
                : parsed;
        }
        catch (JsonException e)
        {
            throw Invalid(operation, "the body cannot be read: " + e.Message, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            throw Invalid(operation, e.Message, e);
        }
        catch (GoogleTokenException e)
        {
            throw new BigQueryException(401, null, $"{operation}: {e.Message}");
        }
        catch (HttpRequestException e)
        {
            throw new BigQueryException(0, null, $"{operation}: transport failure: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new BigQueryException(0, null, $"{operation}: transport failure: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new BigQueryException(0, null, $"{operation}: timed out", e);
        }
    }

    private static async Task<BigQueryException> ErrorFrom(HttpResponseMessage response, string operation, CancellationToken cancellation)
    {
        var (status, reason, message) = await GoogleErrorParser.Read(response, cancellation);
        var prefix = reason is null ? $"{operation}: HTTP {status}" : $"{operation}: HTTP {status} {reason}";
        return new BigQueryException(status, reason, $"{prefix}: {message}");
    }

    private static BigQueryException Invalid(string operation, string detail, Exception? inner = null) =>
        new(502, "invalidResponse", $"{operation}: invalid response: {detail}", inner);
}
