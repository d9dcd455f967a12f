using System.Text.Json;
using BqDispatch.Emulators.BigQuery;
using Xunit;
using static BqDispatch.Tests.BigQuery.EmulatorHarness;

namespace BqDispatch.Tests.BigQuery;

/// <summary>The emulator's wire format, read with a bare HttpClient.</summary>
public sealed class EmulatorWireTests
{
    private static async Task<(int Status, JsonElement Body)> GetJson(EmulatorHarness harness, string relative)
    {
        using var response = await harness.Http.GetAsync(new Uri(harness.Emulator.BaseUrl, relative));
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    [Fact]
    public async Task A_list_item_has_ids_states_and_int64_strings()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("load_1", T0, "EU") with { ErrorReason = "invalid", ErrorMessage = "bad row" });
        harness.Now = T0.AddMinutes(5);

        var (status, body) = await GetJson(harness, $"projects/{Project}/jobs?projection=full&allUsers=true");

        Assert.Equal(200, status);
        Assert.Equal("bigquery#jobList", body.GetProperty("kind").GetString());
        var job = Assert.Single(body.GetProperty("jobs").EnumerateArray().ToList());
        Assert.Equal($"{Project}:EU.load_1", job.GetProperty("id").GetString());
        Assert.Equal("EU", job.GetProperty("jobReference").GetProperty("location").GetString());
        Assert.Equal("DONE", job.GetProperty("state").GetString());
        Assert.Equal("DONE", job.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("invalid", job.GetProperty("errorResult").GetProperty("reason").GetString());
        Assert.Equal("bad row", job.GetProperty("status").GetProperty("errorResult").GetProperty("message").GetString());
        Assert.Equal("LOAD", job.GetProperty("configuration").GetProperty("jobType").GetString());
        var statistics = job.GetProperty("statistics");
        Assert.Equal(JsonValueKind.String, statistics.GetProperty("creationTime").ValueKind);
        Assert.Equal(T0.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), statistics.GetProperty("creationTime").GetString());
        Assert.Equal(T0.AddMinutes(1).ToUnixTimeMilliseconds(), long.Parse(statistics.GetProperty("startTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(T0.AddMinutes(2).ToUnixTimeMilliseconds(), long.Parse(statistics.GetProperty("endTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Caller, job.GetProperty("user_email").GetString());
        Assert.False(body.TryGetProperty("nextPageToken", out _));
    }

    [Fact]
    public async Task Minimal_or_missing_projection_drops_configuration()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0));

        var (_, minimal) = await GetJson(harness, $"projects/{Project}/jobs?projection=minimal&allUsers=true");
        var (_, missing) = await GetJson(harness, $"projects/{Project}/jobs?allUsers=true");

        Assert.False(minimal.GetProperty("jobs")[0].TryGetProperty("configuration", out _));
        Assert.False(missing.GetProperty("jobs")[0].TryGetProperty("configuration", out _));
    }

    [Fact]
    public async Task An_empty_list_omits_jobs()
    {
        await using var harness = await Start();

        var (status, body) = await GetJson(harness, $"projects/{Project}/jobs");

        Assert.Equal(200, status);
        Assert.False(body.TryGetProperty("jobs", out _));
    }

    [Theory]
    [InlineData("stateFilter=RUNNING")]
    [InlineData("stateFilter=active")]
    [InlineData("minCreationTime=2026-11-22")]
    [InlineData("maxCreationTime=-5")]
    [InlineData("allUsers=yes")]
    [InlineData("projection=everything")]
    [InlineData("maxResults=ten")]
    [InlineData("pageToken=garbage!")]
    [InlineData("fields=jobs(id")]
    public async Task Invalid_parameters_are_400_invalid(string parameter)
    {
        await using var harness = await Start();

        var (status, body) = await GetJson(harness, $"projects/{Project}/jobs?{parameter}");

        Assert.Equal(400, status);
        Assert.Equal(400, body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("invalid", body.GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString());
        Assert.Equal("INVALID_ARGUMENT", body.GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_fields_mask_sends_only_what_it_selects()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("load_1", T0));
        harness.Emulator.AddJob(Job("load_2", T0.AddSeconds(1)));
        harness.Now = T0.AddMinutes(5);

        var (_, body) = await GetJson(harness, $"projects/{Project}/jobs?allUsers=true&projection=full&maxResults=1"
                                               + "&fields=" + Uri.EscapeDataString(Core.BigQuery.JobsRestClient.ListFieldsMask));

        Assert.Equal(["nextPageToken", "jobs"], body.EnumerateObject().Select(p => p.Name));
        var job = body.GetProperty("jobs")[0];
        Assert.Equal(["jobReference", "state", "configuration", "statistics"], job.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["jobType"], job.GetProperty("configuration").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["creationTime", "endTime"], job.GetProperty("statistics").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_late_list_page_reads_no_more_jobs_than_an_early_one()
    {
        await using var harness = await Start();
        for (var i = 0; i < 5000; i++)
        {
            // Two jobs per millisecond, so page boundaries fall between jobs created at the same time.
            harness.Emulator.AddJob(Job($"job_{i:D4}", T0.AddMilliseconds(i / 2)));
        }

        var work = new List<long>();
        var listed = new List<string>();
        string? token = null;
        do
        {
            var before = harness.Emulator.ListJobsRead;
            var (_, body) = await GetJson(harness, $"projects/{Project}/jobs?allUsers=true&maxResults=1000"
                                                   + (token is null ? "" : "&pageToken=" + token));
            work.Add(harness.Emulator.ListJobsRead - before);
            listed.AddRange(body.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobReference").GetProperty("jobId").GetString()!));
            token = body.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        Assert.Equal(5000, listed.Distinct().Count());
        Assert.Equal(5, work.Count);
        Assert.All(work, read => Assert.InRange(read, 1000, 1002));
    }

    [Fact]
    public async Task A_creation_time_window_is_sought_not_scanned()
    {
        await using var harness = await Start();
        for (var i = 0; i < 3000; i++)
        {
            harness.Emulator.AddJob(Job($"job_{i:D4}", T0.AddMilliseconds(i)));
        }

        var before = harness.Emulator.ListJobsRead;
        var min = T0.AddMilliseconds(1000).ToUnixTimeMilliseconds();
        var max = T0.AddMilliseconds(1009).ToUnixTimeMilliseconds();
        var (_, body) = await GetJson(harness, $"projects/{Project}/jobs?allUsers=true&minCreationTime={min}&maxCreationTime={max}");

        Assert.Equal(10, body.GetProperty("jobs").GetArrayLength());
        Assert.InRange(harness.Emulator.ListJobsRead - before, 10, 11);
    }

    [Fact]
    public async Task Child_jobs_are_listed_only_under_their_parent()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("script", T0, type: EmulatedJobType.Query));
        harness.Emulator.AddJob(Job("child", T0.AddSeconds(1), type: EmulatedJobType.Query) with { ParentJobId = "script" });

        var (_, top) = await GetJson(harness, $"projects/{Project}/jobs?allUsers=true");
        var (_, children) = await GetJson(harness, $"projects/{Project}/jobs?allUsers=true&parentJobId=script");

        Assert.Equal("script", Assert.Single(top.GetProperty("jobs").EnumerateArray().ToList()).GetProperty("jobReference").GetProperty("jobId").GetString());
        Assert.Equal("child", Assert.Single(children.GetProperty("jobs").EnumerateArray().ToList()).GetProperty("jobReference").GetProperty("jobId").GetString());
    }

    [Fact]
    public async Task Get_returns_the_full_job_and_a_located_not_found_message()
    {
        await using var harness = await Start();
        harness.Emulator.AddJob(Job("job", T0, "us-central1"));
        harness.Now = T0.AddSeconds(61);

        var (status, job) = await GetJson(harness, $"projects/{Project}/jobs/job?location=US-CENTRAL1");
        var (missingStatus, missing) = await GetJson(harness, $"projects/{Project}/jobs/job");

        Assert.Equal(200, status);
        Assert.Equal("bigquery#job", job.GetProperty("kind").GetString());
        Assert.Equal("RUNNING", job.GetProperty("status").GetProperty("state").GetString());
        Assert.False(job.TryGetProperty("state", out _));
        Assert.Equal(404, missingStatus);
        Assert.Equal($"Not found: Job {Project}:job", missing.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("notFound", missing.GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Unknown_paths_are_404_and_the_route_helpers_validate()
    {
        await using var harness = await Start();

        var (status, _) = await GetJson(harness, "projects/x/datasets");

        Assert.Equal(404, status);
        Assert.Equal(EmulatorRoutes.Other, Assert.Single(harness.Emulator.Requests).Route);
        Assert.Throws<ArgumentException>(() => harness.Emulator.FailNext("insert", 500, "backendError"));
        Assert.Throws<InvalidOperationException>(() =>
        {
            harness.Emulator.AddJob(Job("dup", T0));
            harness.Emulator.AddJob(Job("dup", T0));
        });
    }

    [Fact]
    public async Task Error_and_drop_rates_answer_a_seeded_share_of_requests_until_cleared()
    {
        await using var harness = await Start();
        harness.Emulator.ErrorRate(EmulatorRoutes.List, 0.3, 429, "rateLimitExceeded", seed: 4);
        harness.Emulator.DropRate(EmulatorRoutes.List, 0.3, seed: 5);

        for (var i = 0; i < 40; i++)
        {
            try
            {
                await GetJson(harness, $"projects/{Project}/jobs");
            }
            catch (HttpRequestException)
            {
                // a dropped connection
            }
        }

        harness.Emulator.ClearFaults();
        var (after, _) = await GetJson(harness, $"projects/{Project}/jobs");

        var statuses = harness.Emulator.Requests.Select(r => r.Status).ToList();
        Assert.InRange(statuses.Count(s => s == 429), 4, 24);
        Assert.InRange(statuses.Count(s => s == 0), 2, 24);
        Assert.Contains(200, statuses);
        Assert.Equal(200, after);
    }
}
