using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// Whole runs, composed as the CLI composes them (DispatcherSetup, the retry policy, file:// storage), against a
/// BigQuery endpoint that answers like a broken or hostile server: each run ends within its budget, the trace stays
/// where it is, and the status names the problem. Attempts are cut at 1 s; a run that is not over after 30 s fails.
/// </summary>
public sealed class HostileServiceTests : IDisposable
{
    private const string TraceName = "proj:p1:US/ds.t--1_00001_load--dispatch";

    private static readonly RetryPolicy ShortRetry = RetryPolicy.Default with
    {
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        Deadline = TimeSpan.FromSeconds(1.5),
        AttemptTimeout = TimeSpan.FromSeconds(1),
        MaxResponseBytes = 1024 * 1024,
    };

    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-hostile-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData(Hostility.SlowBody, "timed out")]
    [InlineData(Hostility.SlowHeaders, "timed out")]
    [InlineData(Hostility.HugeBody, "larger than 1,048,576 bytes")]
    [InlineData(Hostility.InvalidJson, "the body cannot be read")]
    [InlineData(Hostility.Html, "the body is text/html, not JSON")]
    [InlineData(Hostility.ErrorIn200, "a 2xx answer carries an error: backend exploded")]
    [InlineData(Hostility.Redirect, "a redirect to localhost, which is not followed")]
    [InlineData(Hostility.Int64Overflow, "statistics.creationTime")]
    public async Task A_hostile_bigquery_ends_the_run_in_time_keeps_the_trace_and_names_the_problem(Hostility hostility, string expected)
    {
        await using var elsewhere = new HostileServer(Hostility.Html);
        await using var bigQuery = new HostileServer(hostility) { RedirectTo = new Uri($"http://localhost:{elsewhere.HostAndPort.Split(':')[1]}/steal") };
        var trace = Trace();
        using var setup = await Setup(bigQuery, ShortRetry);

        var status = await setup.RunInProcess(new ProjectThrottles(), setup.Settings(maxCycles: 1), _ => { }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEmpty(bigQuery.Requests);
        Assert.Empty(elsewhere.Requests);
        Assert.True(File.Exists(trace));
        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Contains(status.Errors, e => e.Contains("jobs.list p1", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(root, "journal", "performance.json")));
    }

    [Fact]
    public async Task A_run_ends_one_attempt_after_its_budget_even_when_the_retry_policy_would_go_on()
    {
        await using var bigQuery = new HostileServer(Hostility.SlowBody);
        Trace();

        // On its own this policy would keep a trickling call alive for a minute.
        var patient = ShortRetry with { Deadline = TimeSpan.FromMinutes(1), MaxAttempts = 100 };
        using var setup = await Setup(bigQuery, patient);
        var settings = setup.Settings(maxCycles: 1) with { Budget = TimeSpan.FromSeconds(2) };

        var status = await setup.RunInProcess(new ProjectThrottles(), settings, _ => { }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(status.Errors, e => e.Contains("jobs.list p1: timed out", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(root, "tasks", TraceName)));
    }

    private string Trace()
    {
        var path = Path.Combine(root, "tasks", TraceName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{}");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        return path;
    }

    private Task<DispatcherSetup> Setup(HostileServer bigQuery, RetryPolicy retry)
    {
        var config = $$"""
            {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/"}
            """;
        var environment = new Dictionary<string, string?> { [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort };
        return DispatcherSetup.Create(config, environment, CancellationToken.None, retry);
    }
}
