using System.Diagnostics;
using System.Globalization;
using BqDispatch.Cli;
using BqDispatch.Core.Google;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Cli;

/// <summary>
/// The real bqdispatch process, stuck in a BigQuery call to a server that never finishes its headers (the call alone
/// would last about 50 s): SIGTERM ends it within the grace period, and a second SIGTERM at once.
/// </summary>
public sealed class StopSignalTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-signals-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task Sigterm_during_a_stuck_call_ends_the_process_when_the_grace_period_is_over()
    {
        await using var bigQuery = new HostileServer(Hostility.SlowHeaders);
        using var process = await StartStuck(bigQuery, graceSeconds: 2);

        var watch = Stopwatch.StartNew();
        process.Signal(CliProcess.Sigterm);
        await process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(143, process.ExitCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.5), $"ended after {watch.Elapsed}, before its grace period");
        Assert.Contains(process.Errors(), line => line.Contains("SIGTERM: stopping after the cycle in flight", StringComparison.Ordinal));
        Assert.Contains(process.Errors(), line => line.Contains("did not finish within 2 s of SIGTERM: stopping now", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_sigterm_ends_the_process_at_once()
    {
        await using var bigQuery = new HostileServer(Hostility.SlowHeaders);
        using var process = await StartStuck(bigQuery, graceSeconds: 600);

        process.Signal(CliProcess.Sigterm);

        // Two signals sent before the first is handled would merge into one.
        Assert.True(await CliProcess.WaitFor(() => process.Errors().Any(line => line.Contains("SIGTERM: stopping", StringComparison.Ordinal)), TimeSpan.FromSeconds(30)));
        process.Signal(CliProcess.Sigterm);
        await process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(143, process.ExitCode);
        Assert.Contains(process.Errors(), line => line.Contains("SIGTERM again: stopping now", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_grace_period_is_a_usage_error()
    {
        await using var bigQuery = new HostileServer(Hostility.SlowHeaders);
        using var process = Start(bigQuery, "0");

        await process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(process.Errors(), line => line.Contains("BQDISPATCH_STOP_GRACE_SEC must be a whole number of seconds from 1 to 3600, not '0'", StringComparison.Ordinal));
        Assert.Empty(bigQuery.Requests);
    }

    /// <summary>Starts `bqdispatch once` and returns once its first BigQuery call is hanging.</summary>
    private async Task<CliProcess> StartStuck(HostileServer bigQuery, int graceSeconds)
    {
        var process = Start(bigQuery, graceSeconds.ToString(CultureInfo.InvariantCulture));
        if (!await CliProcess.WaitFor(() => bigQuery.Requests.Count > 0, TimeSpan.FromSeconds(30)))
        {
            process.Dispose();
            Assert.Fail("bqdispatch never called BigQuery: " + string.Join('\n', process.Errors()));
        }

        return process;
    }

    private CliProcess Start(HostileServer bigQuery, string graceSeconds)
    {
        var trace = Path.Combine(root, "tasks", "proj:p1:US", "ds.t--1_00001_load--dispatch");
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        File.WriteAllText(trace, "{}");
        File.SetLastWriteTimeUtc(trace, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        var config = $$"""
            {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/"}
            """;

        return CliProcess.Start(
            ["once", "--config", config],
            new Dictionary<string, string>
            {
                [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort,
                [StopSignals.GraceVariable] = graceSeconds,
            });
    }
}
