using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BqDispatch.Core.BigQuery;
using Xunit;

namespace BqDispatch.Tests.BigQuery;

/// <summary>What JobsRestClient puts on the wire and how it reads answers, with a fake HttpMessageHandler.</summary>
public sealed class JobsRestClientContractTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private const string EmptyList = """{"kind":"bigquery#jobList"}""";

    [Fact]
    public async Task List_sends_the_documented_query()
    {
        var handler = new FakeHandler(EmptyList);
        var client = handler.Client(pageSize: 250);
        var query = new JobListQuery(
            "example.com:my-proj",
            [JobState.Pending, JobState.Running, JobState.Pending],
            T0.AddTicks(1234),
            T0.AddMilliseconds(1500),
            AllUsers: true);

        await client.List(query, None);

        var uri = Assert.Single(handler.Uris);
        Assert.Equal("https://bigquery.googleapis.com/bigquery/v2/projects/example.com%3Amy-proj/jobs", uri.GetLeftPart(UriPartial.Path));
        var parameters = QueryParameters(uri);
        Assert.Equal(["pending", "running"], Values(parameters, "stateFilter"));
        var min = Assert.Single(Values(parameters, "minCreationTime"));
        Assert.Matches("^[0-9]+$", min);
        Assert.Equal(T0.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), min);
        Assert.Equal([(T0.ToUnixTimeMilliseconds() + 1500).ToString(System.Globalization.CultureInfo.InvariantCulture)], Values(parameters, "maxCreationTime"));
        Assert.Equal(["true"], Values(parameters, "allUsers"));
        Assert.Equal(["full"], Values(parameters, "projection"));
        Assert.Equal(["250"], Values(parameters, "maxResults"));
        Assert.Equal(["false"], Values(parameters, "prettyPrint"));
        Assert.Equal(
            ["nextPageToken,unreachable,jobs(jobReference,state,errorResult,configuration(jobType,load/destinationTable,query/destinationTable,copy/destinationTable),statistics(creationTime,endTime))"],
            Values(parameters, "fields"));
        Assert.Empty(Values(parameters, "pageToken"));
        Assert.Equal(HttpMethod.Get, handler.Methods.Single());
    }

    [Fact]
    public async Task A_listing_of_done_jobs_does_without_destination_tables()
    {
        var handler = new FakeHandler(EmptyList);

        await handler.Client().List(new JobListQuery("p", [JobState.Done], T0, null, AllUsers: true), None);

        Assert.Equal(
            ["nextPageToken,unreachable,jobs(jobReference,state,errorResult,configuration/jobType,statistics(creationTime,endTime))"],
            Values(QueryParameters(Assert.Single(handler.Uris)), "fields"));
    }

    [Fact]
    public async Task List_reads_the_destination_table_of_loads_queries_and_copies()
    {
        var handler = new FakeHandler(
            """
            {"jobs":[
              {"jobReference":{"projectId":"p","jobId":"l"},"state":"RUNNING","statistics":{"creationTime":"1"},
               "configuration":{"jobType":"LOAD","load":{"destinationTable":{"projectId":"p","datasetId":"ds","tableId":"t$20260101"}}}},
              {"jobReference":{"projectId":"p","jobId":"q"},"state":"RUNNING","statistics":{"creationTime":"1"},
               "configuration":{"jobType":"QUERY","query":{"destinationTable":{"projectId":"p","datasetId":"_0a1b","tableId":"anon"}}}},
              {"jobReference":{"projectId":"p","jobId":"c"},"state":"PENDING","statistics":{"creationTime":"1"},
               "configuration":{"jobType":"COPY","copy":{"destinationTable":{"projectId":"o","datasetId":"ds2","tableId":"u"}}}},
              {"jobReference":{"projectId":"p","jobId":"d"},"state":"RUNNING","statistics":{"creationTime":"1"},
               "configuration":{"jobType":"QUERY","query":{}}}
            ]}
            """);

        var result = await handler.Client().List(new JobListQuery("p", [JobState.Running, JobState.Pending], null, null, true), None);

        Assert.Equal(
            [new TableReference("p", "ds", "t$20260101"), new TableReference("p", "_0a1b", "anon"), new TableReference("o", "ds2", "u"), null],
            result.Jobs.Select(j => j.Destination));
    }

    [Fact]
    public async Task List_without_states_or_times_sends_neither_and_allUsers_false()
    {
        var handler = new FakeHandler(EmptyList);

        await handler.Client().List(new JobListQuery("p", [], null, null, AllUsers: false), None);

        var parameters = QueryParameters(Assert.Single(handler.Uris));
        Assert.Empty(Values(parameters, "stateFilter"));
        Assert.Empty(Values(parameters, "minCreationTime"));
        Assert.Empty(Values(parameters, "maxCreationTime"));
        Assert.Equal(["false"], Values(parameters, "allUsers"));
        Assert.Equal(["1000"], Values(parameters, "maxResults"));
    }

    [Fact]
    public async Task List_follows_next_page_tokens_and_sends_them_encoded()
    {
        var handler = new FakeHandler(
            """{"nextPageToken":"tok/1+=","jobs":[{"jobReference":{"projectId":"p","jobId":"a","location":"US"},"state":"RUNNING","statistics":{"creationTime":"1795370000123"}}]}""",
            """{"nextPageToken":"tok2","unreachable":["europe-west5"]}""",
            """{"jobs":[{"jobReference":{"projectId":"p","jobId":"b","location":"EU"},"state":"DONE","statistics":{"creationTime":"1795370000000"}}],"unreachable":["europe-west5","asia-east1"]}""");

        var result = await handler.Client().List(new JobListQuery("p", [], null, null, true), None);

        Assert.Equal(3, result.Pages);
        Assert.Equal(["a", "b"], result.Jobs.Select(j => j.JobId));
        Assert.Equal(["europe-west5", "asia-east1"], result.Unreachable);
        Assert.Equal(3, handler.Uris.Count);
        Assert.Contains("&pageToken=tok%2F1%2B%3D", handler.Uris[1].AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(["tok/1+="], Values(QueryParameters(handler.Uris[1]), "pageToken"));
        Assert.Equal(["tok2"], Values(QueryParameters(handler.Uris[2]), "pageToken"));
    }

    [Fact]
    public async Task List_reads_each_field_of_a_job()
    {
        var handler = new FakeHandler(
            """
            {"jobs":[
              {"id":"p:EU.a","jobReference":{"projectId":"p","jobId":"a","location":"EU"},"state":"DONE",
               "errorResult":{"reason":"invalid","message":"bad row"},"configuration":{"jobType":"LOAD"},
               "statistics":{"creationTime":"1795370000123","startTime":"1795370000456"}},
              {"jobReference":{"projectId":"q","jobId":"b"},"status":{"state":"DONE","errorResult":{"reason":"backendError"}},
               "configuration":{"jobType":"EXTRACT"},"statistics":{"creationTime":1795370000000}},
              {"jobReference":{"jobId":"c","location":"us-central1"},"state":"PENDING","statistics":{"creationTime":"5"}}
            ]}
            """);

        var result = await handler.Client().List(new JobListQuery("p", [], null, null, true), None);

        Assert.Equal(
            [
                new JobSnapshot("p", "a", "EU", JobState.Done, JobType.Load, DateTimeOffset.FromUnixTimeMilliseconds(1795370000123), "invalid"),
                new JobSnapshot("q", "b", null, JobState.Done, JobType.Extract, DateTimeOffset.FromUnixTimeMilliseconds(1795370000000), "backendError"),
                new JobSnapshot("p", "c", "us-central1", JobState.Pending, JobType.Unknown, DateTimeOffset.FromUnixTimeMilliseconds(5)),
            ],
            result.Jobs);
    }

    [Fact]
    public async Task List_rejects_a_repeated_page_token_instead_of_looping()
    {
        var handler = new FakeHandler("""{"nextPageToken":"same"}""", """{"nextPageToken":"same"}""");

        var error = await Assert.ThrowsAsync<BigQueryException>(() => handler.Client().List(new JobListQuery("p", [], null, null, true), None));

        Assert.Equal(502, error.Status);
        Assert.Equal("invalidResponse", error.Reason);
    }

    [Fact]
    public async Task A_failure_on_a_later_page_fails_the_whole_list()
    {
        var handler = new FakeHandler(
            """{"nextPageToken":"t","jobs":[{"jobReference":{"jobId":"a"},"state":"DONE"}]}""",
            Response(503, """{"error":{"code":503,"message":"Backend error","errors":[{"reason":"backendError","message":"Backend error"}]}}"""));

        var error = await Assert.ThrowsAsync<BigQueryException>(() => handler.Client().List(new JobListQuery("p", [], null, null, true), None));

        Assert.Equal(503, error.Status);
        Assert.Equal("backendError", error.Reason);
    }

    [Fact]
    public async Task Get_encodes_path_segments_and_sends_location_only_when_given()
    {
        var handler = new FakeHandler(
            """{"jobReference":{"projectId":"example.com:my-proj","jobId":"job_1-x","location":"asia-northeast1"},"status":{"state":"RUNNING"},"configuration":{"jobType":"QUERY"},"statistics":{"creationTime":"1795370000123"}}""",
            """{"jobReference":{"projectId":"p","jobId":"j"},"status":{"state":"DONE"}}""",
            """{"jobReference":{"projectId":"p","jobId":"j"},"status":{"state":"DONE"}}""");
        var client = handler.Client("http://127.0.0.1:9050/bigquery/v2");

        var job = await client.Get("example.com:my-proj", "job_1-x", "asia-northeast1", None);
        await client.Get("p", "j", null, None);
        await client.Get("p", "j", "", None);

        Assert.Equal(
            "http://127.0.0.1:9050/bigquery/v2/projects/example.com%3Amy-proj/jobs/job_1-x?prettyPrint=false&location=asia-northeast1",
            handler.Uris[0].AbsoluteUri);
        Assert.Empty(Values(QueryParameters(handler.Uris[1]), "location"));
        Assert.Empty(Values(QueryParameters(handler.Uris[2]), "location"));
        Assert.Equal(
            new JobSnapshot("example.com:my-proj", "job_1-x", "asia-northeast1", JobState.Running, JobType.Query, DateTimeOffset.FromUnixTimeMilliseconds(1795370000123)),
            job);
    }

    [Theory]
    [InlineData("", "j")]
    [InlineData(".", "j")]
    [InlineData("..", "j")]
    [InlineData("a/b", "j")]
    [InlineData("my proj", "j")]
    [InlineData(".example:p", "j")]
    [InlineData("p", "..")]
    [InlineData("p", "a/b")]
    public async Task Ids_that_could_rewrite_the_request_path_are_refused_before_any_request(string project, string jobId)
    {
        var handler = new FakeHandler();
        var client = handler.Client("http://127.0.0.1:9050/bigquery/v2");

        var get = await Assert.ThrowsAsync<BigQueryException>(() => client.Get(project, jobId, null, None));
        if (jobId == "j")
        {
            var list = await Assert.ThrowsAsync<BigQueryException>(() =>
                client.List(new JobListQuery(project, [JobState.Done], null, null, AllUsers: true), None));
            Assert.Equal(400, list.Status);
        }

        Assert.Equal(400, get.Status);
        Assert.Contains("is not a BigQuery", get.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Uris);
    }

    [Fact]
    public async Task Get_404_is_null_and_other_errors_throw()
    {
        var handler = new FakeHandler(
            Response(404, """{"error":{"code":404,"message":"Not found: Job p:j","errors":[{"reason":"notFound"}]}}"""),
            Response(403, """{"error":{"code":403,"message":"Access Denied: Job p:j","errors":[{"message":"Access Denied: Job p:j","domain":"global","reason":"accessDenied"}],"status":"PERMISSION_DENIED"}}"""));
        var client = handler.Client();

        Assert.Null(await client.Get("p", "j", null, None));
        var error = await Assert.ThrowsAsync<BigQueryException>(() => client.Get("p", "j", null, None));

        Assert.Equal(403, error.Status);
        Assert.Equal("accessDenied", error.Reason);
        Assert.True(error.IsAccessDenied);
        Assert.Contains("Access Denied: Job p:j", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_google_json_error_gives_reason_and_message()
    {
        var handler = new FakeHandler(Response(429, """
            {"error":{"code":429,"message":"Quota exceeded: Your user_method exceeded quota for concurrent api requests per user per method",
             "errors":[{"message":"other text","domain":"global","reason":"quotaExceeded"},{"reason":"second"}],"status":"RESOURCE_EXHAUSTED"}}
            """));

        var error = await ListError(handler);

        Assert.Equal(429, error.Status);
        Assert.Equal("quotaExceeded", error.Reason);
        Assert.Contains("exceeded quota for concurrent api requests", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsAccessDenied);
    }

    [Fact]
    public async Task An_html_or_plain_body_gives_its_text_cut_to_300_characters_and_no_reason()
    {
        var html = "<html><head><title>502 Bad Gateway</title></head><body>" + new string('x', 1000) + "</body></html>";
        var handler = new FakeHandler(Response(502, html, "text/html"), Response(500, "  upstream connect error  ", "text/plain"));

        var htmlError = await ListError(handler);
        var plainError = await ListError(handler);

        Assert.Equal(502, htmlError.Status);
        Assert.Null(htmlError.Reason);
        Assert.Contains(html[..300], htmlError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(html[..301], htmlError.Message, StringComparison.Ordinal);
        Assert.Null(plainError.Reason);
        Assert.EndsWith(": upstream connect error", plainError.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"notAnError\":true}")]
    [InlineData("{\"error\":")]
    public async Task An_empty_or_unrecognised_error_body_still_gives_the_status(string body)
    {
        var handler = new FakeHandler(Response(503, body));

        var error = await ListError(handler);

        Assert.Equal(503, error.Status);
        Assert.Null(error.Reason);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"jobs\":[{\"jobReference\":{\"jobId\":\"a\"},\"state\":\"DONE\"}")]
    [InlineData("{\"jobs\":[{\"jobReference\":{\"jobId\":\"a\"},\"state\":\"SLEEPING\"}]}")]
    [InlineData("{\"jobs\":[{\"state\":\"DONE\"}]}")]
    [InlineData("{\"jobs\":[{\"jobReference\":{\"jobId\":\"a\"},\"state\":\"DONE\",\"statistics\":{\"creationTime\":\"soon\"}}]}")]
    [InlineData("null")]
    public async Task A_malformed_200_is_an_invalid_response(string body)
    {
        var handler = new FakeHandler(body);

        var error = await ListError(handler);

        Assert.Equal(502, error.Status);
        Assert.Equal("invalidResponse", error.Reason);
    }

    [Fact]
    public async Task Get_with_a_null_200_body_is_an_invalid_response_not_a_missing_job()
    {
        var handler = new FakeHandler("null");

        var error = await Assert.ThrowsAsync<BigQueryException>(() => handler.Client().Get("p", "j", null, None));

        Assert.Equal("invalidResponse", error.Reason);
    }

    [Fact]
    public async Task A_transport_failure_is_status_0()
    {
        var handler = new FakeHandler(_ => throw new HttpRequestException("Connection refused"));

        var error = await ListError(handler);

        Assert.Equal(0, error.Status);
        Assert.Null(error.Reason);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task Messages_never_carry_the_authorization_header()
    {
        var handler = new FakeHandler(Response(401, "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\",\"errors\":[{\"reason\":\"authError\"}]}}"));
        using var http = new HttpClient(handler);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ya29.secret-token");
        var client = new JobsRestClient(http);

        var error = await Assert.ThrowsAsync<BigQueryException>(() => client.List(new JobListQuery("p", [], null, null, true), None));

        Assert.Equal("authError", error.Reason);
        Assert.DoesNotContain("secret-token", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_constructor_rejects_bad_settings()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>(() => new JobsRestClient(http, "not a url"));
        Assert.Throws<ArgumentException>(() => new JobsRestClient(http, "ftp://host/bigquery/v2/"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobsRestClient(http, pageSize: 0));
        Assert.Equal("http://h:1/bigquery/v2/", new JobsRestClient(http, "http://h:1/bigquery/v2").BaseUrl.AbsoluteUri);
    }

    [Theory]
    [InlineData(null, "https://bigquery.googleapis.com/bigquery/v2/")]
    [InlineData("", "https://bigquery.googleapis.com/bigquery/v2/")]
    [InlineData("  ", "https://bigquery.googleapis.com/bigquery/v2/")]
    [InlineData("127.0.0.1:9050", "http://127.0.0.1:9050/bigquery/v2/")]
    [InlineData("localhost:9050", "http://localhost:9050/bigquery/v2/")]
    [InlineData(" http://bq-emulator:9050 ", "http://bq-emulator:9050/bigquery/v2/")]
    [InlineData("http://bq-emulator:9050/", "http://bq-emulator:9050/bigquery/v2/")]
    [InlineData("http://bq-emulator:9050/some/path", "http://bq-emulator:9050/bigquery/v2/")]
    [InlineData("https://bq.internal", "https://bq.internal/bigquery/v2/")]
    [InlineData("[::1]:9050", "http://[::1]:9050/bigquery/v2/")]
    public void BaseUrlFrom_reads_BIGQUERY_EMULATOR_HOST(string? value, string expected)
    {
        var environment = new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = value };

        Assert.Equal(expected, JobsRestClient.BaseUrlFrom(environment));
    }

    [Fact]
    public void BaseUrlFrom_defaults_without_the_variable_and_rejects_garbage()
    {
        Assert.Equal(JobsRestClient.DefaultBaseUrl, JobsRestClient.BaseUrlFrom(new Dictionary<string, string?>()));
        Assert.Throws<ArgumentException>(() => JobsRestClient.BaseUrlFrom(
            new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = "ftp://host:21" }));
        Assert.Throws<ArgumentException>(() => JobsRestClient.BaseUrlFrom(
            new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = "host:port:bad" }));
    }

    private static async Task<BigQueryException> ListError(FakeHandler handler) =>
        await Assert.ThrowsAsync<BigQueryException>(() => handler.Client().List(new JobListQuery("p", [], null, null, true), None));

    private static HttpResponseMessage Response(int status, string body, string contentType = "application/json") =>
        new((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, contentType) };

    private static List<(string Key, string Value)> QueryParameters(Uri uri) =>
        uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : "")))
            .ToList();

    private static List<string> Values(List<(string Key, string Value)> parameters, string key) =>
        parameters.Where(p => p.Key == key).Select(p => p.Value).ToList();

    /// <summary>Records each request's URI and answers from a script (200 JSON strings or full responses).</summary>
    private sealed class FakeHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, HttpResponseMessage> respond;
        private readonly List<HttpClient> clients = [];

        public FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) => this.respond = respond;

        public FakeHandler(params object[] script)
        {
            var next = 0;
            respond = _ => script[Math.Min(next++, script.Length - 1)] switch
            {
                string json => Response(200, json),
                HttpResponseMessage response => response,
                var other => throw new InvalidOperationException($"Bad script entry {other}"),
            };
        }

        public List<Uri> Uris { get; } = [];

        public List<HttpMethod> Methods { get; } = [];

        public JobsRestClient Client(string baseUrl = JobsRestClient.DefaultBaseUrl, int pageSize = JobsRestClient.DefaultPageSize)
        {
            var http = new HttpClient(this, disposeHandler: false);
            clients.Add(http);
            return new JobsRestClient(http, baseUrl, pageSize);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uris.Add(request.RequestUri!);
            Methods.Add(request.Method);
            return Task.FromResult(respond(request));
        }

        protected override void Dispose(bool disposing)
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
