using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
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

    private const int Sigterm = 15;

    private readonly List<string> stderr = [];

    [Fact]
    public async Task Sigterm_during_a_stuck_call_ends_the_process_when_the_grace_period_is_over()
    {
        await using var bigQuery = new HostileServer(Hostility.SlowHeaders);
        using var process = await StartStuck(bigQuery, graceSeconds: 2);

        var watch = Stopwatch.StartNew();
        Signal(process, Sigterm);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(143, process.ExitCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.5), $"ended after {watch.Elapsed}, before its grace period");
        Assert.Contains(Errors(), line => line.Contains("SIGTERM: stopping after the cycle in flight", StringComparison.Ordinal));
        Assert.Contains(Errors(), line => line.Contains("did not finish within 2 s of SIGTERM: stopping now", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_sigterm_ends_the_process_at_once()
    {
        await using var bigQuery = new HostileServer(Hostility.SlowHeaders);
        using var process = await StartStuck(bigQuery, graceSeconds: 600);

        Signal(process, Sigterm);

        // Two signals sent before the first is handled would merge into one.
        Assert.True(await WaitFor(() => Errors().Any(line => line.Contains("SIGTERM: stopping", StringComparison.Ordinal)), TimeSpan.FromSeconds(30)));
        Signal(process, Sigterm);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(143, process.ExitCode);
        Assert.Contains(Errors(), line => line.Contains("SIGTERM again: stopping now", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_grace_period_is_a_usage_error()
    {
        await using var bigQuery = new HostileServer(Hostility.SlowHeaders);
        using var process = Start(bigQuery, "0");

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(Errors(), line => line.Contains("BQDISPATCH_STOP_GRACE_SEC must be a whole number of seconds from 1 to 3600, not '0'", StringComparison.Ordinal));
        Assert.Empty(bigQuery.Requests);
    }

    private List<string> Errors()
    {
        lock (stderr)
        {
            return [.. stderr];
        }
    }

    /// <summary>Starts `bqdispatch once` and returns once its first BigQuery call is hanging.</summary>
    private async Task<Process> StartStuck(HostileServer bigQuery, int graceSeconds)
    {
        var process = Start(bigQuery, graceSeconds.ToString(CultureInfo.InvariantCulture));
        if (!await WaitFor(() => bigQuery.Requests.Count > 0, TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            Assert.Fail("bqdispatch never called BigQuery: " + string.Join('\n', Errors()));
        }

        return process;
    }

    private Process Start(HostileServer bigQuery, string graceSeconds)
    {
        var trace = Path.Combine(root, "tasks", "proj:p1:US", "ds.t--1_00001_load--dispatch");
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        File.WriteAllText(trace, "{}");
        File.SetLastWriteTimeUtc(trace, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        var config = $$"""
            {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/"}
            """;

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bqdispatch.dll"));
        start.ArgumentList.Add("once");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        foreach (var inherited in new[] { "CONFIG", GoogleAccess.CredentialsJsonVariable, GoogleAccess.ApplicationCredentialsVariable, GoogleAccess.StorageEmulatorHostVariable })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment[GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort;
        start.Environment[StopSignals.GraceVariable] = graceSeconds;
        var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (stderr)
            {
                stderr.Add(line.Data ?? "");
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Signal(Process process, int signal) => Assert.Equal(0, Native.kill(process.Id, signal));

    private static async Task<bool> WaitFor(Func<bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int kill(int pid, int signal);
    }
}
