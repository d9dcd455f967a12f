using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Cli;

/// <summary>The once and run commands: the self-hosted dispatcher on the in-process engine.</summary>
public static class RunCommands
{
    public static async Task<int> Once(
        Options options, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken stopping)
    {
        using var dispatcher = await Dispatcher.Create(options.Config, environment, stderr, stopping);
        var status = await dispatcher.RunOnce(options.MaxCycles, stopping);
        await stdout.WriteLineAsync(StatusJson.Serialize(status, indented: true));
        return Report(status, stderr);
    }

    public static async Task<int> Service(
        Options options, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken stopping)
    {
        if (options.MaxCycles is not null)
        {
            throw new UsageException("--max-cycles belongs to once");
        }

        using var dispatcher = await Dispatcher.Create(options.Config, environment, stderr, stopping);
        await stderr.WriteLineAsync("bqdispatch: running a dispatch every minute; Ctrl+C or SIGTERM stops after the cycle in flight");
        var failed = false;
        while (!stopping.IsCancellationRequested)
        {
            var status = await dispatcher.RunOnce(null, stopping);
            await stdout.WriteLineAsync(StatusJson.Serialize(status));
            failed = Report(status, stderr) != 0;
            await SystemClock.Instance.Delay(UntilNextMinute(DateTimeOffset.UtcNow), stopping);
        }

        await stderr.WriteLineAsync("bqdispatch: stopped");
        return failed ? 1 : 0;
    }

    /// <summary>Runs start on the minute, as the Cloud Scheduler job of the original did.</summary>
    public static TimeSpan UntilNextMinute(DateTimeOffset now) =>
        TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);

    private static int Report(StatusDocument status, TextWriter stderr)
    {
        if (status.Status == StatusDocument.Ok)
        {
            return 0;
        }

        stderr.WriteLine($"bqdispatch: run finished with {status.Errors.Count} error(s); last: {status.Error}");
        return 1;
    }
}
