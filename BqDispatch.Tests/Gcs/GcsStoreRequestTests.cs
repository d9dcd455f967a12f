using System.Net;
using System.Text;
using BqDispatch.Core.Google;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Storage.Gcs;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>What GcsStore puts on the wire and how it reads answers, with a capturing fake handler (no retry handler).</summary>
public sealed class GcsStoreRequestTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private const string ObjectJson =
        """{"name":"dir/sub dir/a+b?#[x]ü.csv","generation":"1795370012345678","size":"3","timeCreated":"2026-11-22T10:00:12.345Z","updated":"2026-11-22T10:00:13.000Z","md5Hash":"kAFQmDzST7DWlj99KOF/cg=="}""";

    [Fact]
    public async Task Read_sends_the_name_fully_encoded_in_one_segment_with_alt_media()
    {
        var fake = new Fake(Ok("abc", "application/octet-stream"));

        var bytes = await fake.Store().Read("gs://my-bucket/dir/sub dir/a+b?#[x]ü.csv", None);

        Assert.Equal("abc"u8.ToArray(), bytes);
        var request = Assert.Single(fake.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal(
            "https://storage.googleapis.com/storage/v1/b/my-bucket/o/dir%2Fsub%20dir%2Fa%2Bb%3F%23%5Bx%5D%C3%BC.csv?alt=media",
            request.Uri);
    }

    [Fact]
    public async Task Create_uploads_media_with_ifGenerationMatch_0_marked_idempotent()
    {
        var fake = new Fake(Ok(ObjectJson));

        var outcome = await fake.Store().Create("gs://b/_bqjob_/2026-11-22_10/proj:p:US/j.json", "abc"u8.ToArray(), None);

        Assert.Equal(CreateOutcome.Created, outcome);
        var request = Assert.Single(fake.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.StartsWith("https://storage.googleapis.com/upload/storage/v1/b/b/o?", request.Uri, StringComparison.Ordinal);
        var query = Query(request.Uri);
        Assert.Equal("media", query["uploadType"]);
        Assert.Equal("_bqjob_/2026-11-22_10/proj:p:US/j.json", query["name"]);
        Assert.Contains("name=_bqjob_%2F2026-11-22_10%2Fproj%3Ap%3AUS%2Fj.json", request.Uri, StringComparison.Ordinal);
        Assert.Equal("0", query["ifGenerationMatch"]);
        Assert.True(request.Idempotent);
        Assert.Equal("abc", Encoding.UTF8.GetString(request.Body!));
    }

    [Fact]
    public async Task Create_reports_AlreadyExists_on_412_when_not_retried_without_reading_back()
    {
        var fake = new Fake(Error(412, "conditionNotMet"));

        Assert.Equal(CreateOutcome.AlreadyExists, await fake.Store().Create("gs://b/x", "abc"u8.ToArray(), None));
        Assert.Single(fake.Requests);
    }

    [Theory]
    [InlineData("abc", CreateOutcome.Created)]
    [InlineData("abd", CreateOutcome.AlreadyExists)]
    public async Task Create_after_a_retried_412_compares_the_md5_of_what_is_there(string sent, CreateOutcome expected)
    {
        // md5("abc") = kAFQmDzST7DWlj99KOF/cg==
        var fake = new Fake(Error(412, "conditionNotMet"), Ok(ObjectJson)) { AttemptsOfFirst = 2 };

        var outcome = await fake.Store().Create("gs://b/x", Encoding.UTF8.GetBytes(sent), None);

        Assert.Equal(expected, outcome);
        Assert.Equal(2, fake.Requests.Count);
        Assert.Equal(HttpMethod.Get, fake.Requests[1].Method);
        Assert.StartsWith("https://storage.googleapis.com/storage/v1/b/b/o/x?", fake.Requests[1].Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_uploads_without_a_precondition_and_is_marked_idempotent()
    {
        var fake = new Fake(Ok(ObjectJson));

        await fake.Store().Put("gs://b/journal/performance.json", "{}"u8.ToArray(), None);

        var request = Assert.Single(fake.Requests);
        var query = Query(request.Uri);
        Assert.Equal("media", query["uploadType"]);
        Assert.False(query.ContainsKey("ifGenerationMatch"));
        Assert.True(request.Idempotent);
    }

    [Fact]
    public async Task Copy_rewrites_with_destination_and_source_preconditions_and_follows_tokens()
    {
        var fake = new Fake(
            Ok("""{"kind":"storage#rewriteResponse","done":false,"rewriteToken":"tok/1+","totalBytesRewritten":"1048576","objectSize":"3145728"}"""),
            Ok("""{"done":false,"rewriteToken":"tok2","totalBytesRewritten":"2097152","objectSize":"3145728"}"""),
            Ok("""{"done":true,"totalBytesRewritten":"3145728","objectSize":"3145728","resource":{"name":"out/a b","generation":"9"}}"""));

        var outcome = await fake.Store().CopyIfAbsent("gs://in-bkt/exports/a.csv", 1795370012345678, null, "gs://archive/out/a b", None);

        Assert.Equal(CopyOutcome.Copied, outcome);
        Assert.Equal(3, fake.Requests.Count);
        var first = fake.Requests[0];
        Assert.Equal(HttpMethod.Post, first.Method);
        Assert.StartsWith(
            "https://storage.googleapis.com/storage/v1/b/in-bkt/o/exports%2Fa.csv/rewriteTo/b/archive/o/out%2Fa%20b?",
            first.Uri,
            StringComparison.Ordinal);
        var query = Query(first.Uri);
        Assert.Equal("0", query["ifGenerationMatch"]);
        Assert.Equal("1795370012345678", query["ifSourceGenerationMatch"]);
        Assert.Equal("1795370012345678", query["sourceGeneration"]);
        Assert.False(query.ContainsKey("rewriteToken"));
        Assert.True(first.Idempotent);
        Assert.Equal("tok/1+", Query(fake.Requests[1].Uri)["rewriteToken"]);
        Assert.Contains("rewriteToken=tok%2F1%2B", fake.Requests[1].Uri, StringComparison.Ordinal);
        Assert.Equal("tok2", Query(fake.Requests[2].Uri)["rewriteToken"]);
        Assert.All(fake.Requests, r => Assert.Equal(query["ifSourceGenerationMatch"], Query(r.Uri)["ifSourceGenerationMatch"]));
    }

    [Fact]
    public async Task Copy_412_with_the_source_changed_is_SourceChanged_and_with_the_source_kept_is_DestinationExists_without_a_read_back()
    {
        var changed = new Fake(Error(412, "conditionNotMet"), Ok(ObjectJson.Replace("1795370012345678", "1795370099999999", StringComparison.Ordinal)));
        var taken = new Fake(Error(412, "conditionNotMet"), Ok(ObjectJson));
        var gone = new Fake(Error(404, "notFound"), Error(404, "notFound"));

        Assert.Equal(CopyOutcome.SourceChanged, await changed.Store().CopyIfAbsent("gs://b/in", 1795370012345678, null, "gs://b/out", None));
        Assert.Equal(CopyOutcome.DestinationExists, await taken.Store().CopyIfAbsent("gs://b/in", 1795370012345678, null, "gs://b/out", None));
        Assert.Equal(CopyOutcome.SourceChanged, await gone.Store().CopyIfAbsent("gs://b/in", 1795370012345678, null, "gs://b/out", None));

        // The 412 with the source as it was proves the destination existed: whether it is still there does not matter.
        Assert.Equal(2, taken.Requests.Count);
        Assert.Equal("https://storage.googleapis.com/storage/v1/b/b/o/in", taken.Requests[1].Uri.Split('?')[0]);
    }

    [Fact]
    public async Task An_unanswered_copy_looks_at_the_live_and_the_soft_deleted_destination_before_writing_again()
    {
        // 502: no answer to rely on. Source kept; no live destination; a soft-deleted one with the source's md5: consumed.
        var consumed = new Fake(
            Error(502, "badGateway"),
            Ok(ObjectJson),
            Error(404, "notFound"),
            Ok($$"""{"items":[{{ObjectJson.Replace("dir/sub dir/a+b?#[x]ü.csv", "out", StringComparison.Ordinal)}}]}"""));

        Assert.Equal(CopyOutcome.Copied, await consumed.Store().CopyIfAbsent("gs://b/in", 1795370012345678, null, "gs://b/out", None));
        Assert.Equal(4, consumed.Requests.Count);
        Assert.DoesNotContain(consumed.Requests.Skip(1), r => r.Method == HttpMethod.Post);
        var softDeleted = Query(consumed.Requests[3].Uri);
        Assert.Equal("true", softDeleted["softDeleted"]);
        Assert.Equal("out", softDeleted["prefix"]);
        Assert.Equal(GcsStore.SoftDeletedFieldsMask, softDeleted["fields"]);
    }

    [Fact]
    public async Task Claim_patches_the_claim_key_under_generation_and_metageneration_preconditions()
    {
        var fake = new Fake(Ok("""{"generation":"7","metageneration":"2"}"""));

        var claim = await fake.Store().Claim("gs://b/tasks/t--1_00001_load--dispatch", 7, 1, None);

        Assert.Equal((ClaimOutcome.Claimed, 2L), (claim.Outcome, claim.Metageneration));
        var request = Assert.Single(fake.Requests);
        Assert.Equal(HttpMethod.Patch, request.Method);
        Assert.StartsWith("https://storage.googleapis.com/storage/v1/b/b/o/tasks%2Ft--1_00001_load--dispatch?", request.Uri, StringComparison.Ordinal);
        var query = Query(request.Uri);
        Assert.Equal(("7", "1"), (query["ifGenerationMatch"], query["ifMetagenerationMatch"]));
        Assert.True(request.Idempotent);
        Assert.StartsWith("{\"metadata\":{\"bqdispatch-claim\":\"", Encoding.UTF8.GetString(request.Body!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_claim_reads_the_object_to_tell_taken_from_gone()
    {
        var taken = new Fake(Error(412, "conditionNotMet"), Ok("""{"name":"t","generation":"7","metageneration":"3","size":"1","timeCreated":"2026-11-22T10:00:12.345Z"}"""));
        var gone = new Fake(Error(404, "notFound"), Error(404, "notFound"));
        var takeover = new Fake(Ok("""{"generation":"7","metageneration":"4"}"""));

        Assert.Equal(ClaimOutcome.Taken, (await taken.Store().Claim("gs://b/t", 7, 1, None)).Outcome);
        Assert.Equal(ClaimOutcome.Gone, (await gone.Store().Claim("gs://b/t", 7, 1, None)).Outcome);
        Assert.Equal(ClaimOutcome.Claimed, (await takeover.Store().Claim("gs://b/t", 7, null, None)).Outcome);
        Assert.False(Query(takeover.Requests[0].Uri).ContainsKey("ifMetagenerationMatch"));
    }

    [Fact]
    public async Task Delete_sends_ifGenerationMatch_and_maps_204_404_412()
    {
        var fake = new Fake(new HttpResponseMessage(HttpStatusCode.NoContent), Error(404, "notFound"), Error(412, "conditionNotMet"));
        var store = fake.Store();

        Assert.Equal(DeleteOutcome.Deleted, await store.Delete("gs://b/a/b c", 42, None));
        Assert.Equal(DeleteOutcome.Missing, await store.Delete("gs://b/a/b c", 42, None));
        Assert.Equal(DeleteOutcome.GenerationChanged, await store.Delete("gs://b/a/b c", 42, None));

        var request = fake.Requests[0];
        Assert.Equal(HttpMethod.Delete, request.Method);
        Assert.StartsWith("https://storage.googleapis.com/storage/v1/b/b/o/a%2Fb%20c?", request.Uri, StringComparison.Ordinal);
        Assert.Equal("42", Query(request.Uri)["ifGenerationMatch"]);
        Assert.True(request.Idempotent);
    }

    [Fact]
    public async Task List_sends_prefix_delimiter_maxResults_fields_and_follows_page_tokens()
    {
        var fake = new Fake(
            Ok("""{"nextPageToken":"p/2=","prefixes":["tasks/proj:p:US/"],"items":[{"name":"tasks/b","generation":"2","size":"5","timeCreated":"2026-11-22T10:00:00Z","updated":"2026-11-22T10:00:01Z"}]}"""),
            Ok("""{"items":[{"name":"tasks/a","generation":3,"size":7,"timeCreated":"2026-11-22T10:00:00.5Z"}]}"""));

        var listing = await fake.Store(pageSize: 2).List("gs://b/tasks", None);

        Assert.Equal(["a", "b"], listing.Objects.Select(o => o.Name));
        Assert.Equal("gs://b/tasks/a", listing.Objects[0].Url);
        Assert.Equal(3, listing.Objects[0].Generation);
        Assert.Equal(7, listing.Objects[0].Size);
        Assert.Equal(listing.Objects[0].Created, listing.Objects[0].Updated);
        Assert.Equal(["gs://b/tasks/proj:p:US/"], listing.Folders);
        var query = Query(fake.Requests[0].Uri);
        Assert.StartsWith("https://storage.googleapis.com/storage/v1/b/b/o?", fake.Requests[0].Uri, StringComparison.Ordinal);
        Assert.Equal("tasks/", query["prefix"]);
        Assert.Equal("/", query["delimiter"]);
        Assert.Equal("2", query["maxResults"]);
        Assert.Equal("nextPageToken,prefixes,items(name,generation,metageneration,size,timeCreated,updated)", query["fields"]);
        Assert.False(query.ContainsKey("pageToken"));
        Assert.Equal("p/2=", Query(fake.Requests[1].Uri)["pageToken"]);
        var defaults = new Fake(Ok("{}"));
        Assert.Empty((await defaults.Store().List("gs://b/", None)).Objects);
        Assert.Equal("1000", Query(defaults.Requests[0].Uri)["maxResults"]);
        Assert.Equal("", Query(defaults.Requests[0].Uri)["prefix"]);
    }

    [Fact]
    public async Task Listed_times_are_read_as_utc_whether_marked_z_offset_or_not_at_all()
    {
        var fake = new Fake(Ok("""{"items":[{"name":"a","generation":"1","size":"1","timeCreated":"2026-11-22T11:00:00.25+01:00","updated":"2026-11-22T10:00:00.25"},"""
                               + """{"name":"b","generation":"2","size":"1","timeCreated":"2026-11-22T10:00:00.25Z"}]}"""));

        var objects = (await fake.Store().List("gs://b/", None)).Objects;

        var expected = new DateTimeOffset(2026, 11, 22, 10, 0, 0, 250, TimeSpan.Zero);
        Assert.All(objects, o => Assert.Equal((expected, TimeSpan.Zero, expected, TimeSpan.Zero), (o.Created, o.Created.Offset, o.Updated, o.Updated.Offset)));
    }

    [Fact]
    public async Task Errors_carry_status_reason_and_message_and_html_bodies_are_cut()
    {
        var forbidden = new Fake(Error(403, "forbidden", "dispatcher@p.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object."));
        var html = new Fake(new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>" + new string('x', 1000) + "</html>") });
        var missing = new Fake(Error(404, "notFound", "No such object: b/x"));

        var denied = await Assert.ThrowsAsync<StorageException>(() => forbidden.Store().Create("gs://b/x", "a"u8.ToArray(), None));
        var proxy = await Assert.ThrowsAsync<StorageException>(() => html.Store().List("gs://b/", None));
        var absent = await Assert.ThrowsAsync<StorageException>(() => missing.Store().Read("gs://b/x", None));

        Assert.Equal(403, denied.Status);
        Assert.False(denied.IsTransient);
        Assert.Contains("403 forbidden: dispatcher@p.iam.gserviceaccount.com does not have storage.objects.create access", denied.Message, StringComparison.Ordinal);
        Assert.Equal(502, proxy.Status);
        Assert.True(proxy.IsTransient);
        Assert.True(proxy.Message.Length < 420, proxy.Message);
        Assert.Equal(404, absent.Status);
        Assert.Equal("gs://b/x", absent.Url);
    }

    [Fact]
    public async Task ReadVersioned_pins_the_media_request_to_the_metadata_generation()
    {
        var fake = new Fake(Ok(ObjectJson), Ok("abc", "text/plain"));

        var found = await fake.Store().ReadVersioned("gs://b/x", None);

        Assert.NotNull(found);
        Assert.Equal(1795370012345678, found.Info.Generation);
        Assert.Equal("abc"u8.ToArray(), found.Content.ToArray());
        Assert.Equal("media", Query(fake.Requests[1].Uri)["alt"]);
        Assert.Equal("1795370012345678", Query(fake.Requests[1].Uri)["generation"]);
        Assert.Null(await new Fake(Error(404, "notFound")).Store().ReadVersioned("gs://b/x", None));
    }

    [Theory]
    [InlineData(null, "https://storage.googleapis.com/")]
    [InlineData("127.0.0.1:4443", "http://127.0.0.1:4443/")]
    [InlineData("http://localhost:9000/storage/v1/", "http://localhost:9000/")]
    public void BaseUrlFrom_reads_STORAGE_EMULATOR_HOST(string? value, string expected)
    {
        var environment = new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = value };

        Assert.Equal(expected, GcsStore.BaseUrlFrom(environment));
        Assert.Throws<ArgumentException>(() => GcsStore.BaseUrlFrom(new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = "ftp://x:1" }));
    }

    private static HttpResponseMessage Ok(string body, string contentType = "application/json") =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, contentType) };

    private static HttpResponseMessage Error(int status, string reason, string? message = null) =>
        new((HttpStatusCode)status)
        {
            Content = new StringContent(
                $$$"""{"error":{"code":{{{status}}},"message":"{{{message ?? reason}}}","errors":[{"message":"{{{message ?? reason}}}","domain":"global","reason":"{{{reason}}}"}]}}""",
                Encoding.UTF8,
                "application/json"),
        };

    private static Dictionary<string, string> Query(string uri)
    {
        var query = new Uri(uri).Query.TrimStart('?');
        return query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
    }

    private sealed record Captured(HttpMethod Method, string Uri, byte[]? Body, bool Idempotent);

    /// <summary>Answers with the scripted responses in order and records each request as it arrived.</summary>
    private sealed class Fake(params HttpResponseMessage[] responses) : HttpMessageHandler
    {
        private readonly Queue<HttpResponseMessage> script = new(responses);

        public List<Captured> Requests { get; } = [];

        /// <summary>Attempts recorded on the first request, as a RetryHandler would after retrying it.</summary>
        public int AttemptsOfFirst { get; init; } = 1;

        public GcsStore Store(int pageSize = GcsStore.DefaultPageSize) => new(new HttpClient(this), pageSize: pageSize);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var idempotent = request.Options.TryGetValue(RetryHandler.Idempotent, out var marked) && marked;
            Requests.Add(new Captured(request.Method, request.RequestUri!.AbsoluteUri, body, idempotent));
            request.Options.Set(RetryHandler.Attempts, Requests.Count == 1 ? AttemptsOfFirst : 1);
            var response = script.Count > 0 ? script.Dequeue() : new HttpResponseMessage(HttpStatusCode.InternalServerError);
            response.RequestMessage = request;
            return response;
        }
    }
}
