using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;

namespace BqDispatch.Cli;

/// <summary>The once and run commands: the self-hosted dispatcher on the in-process engine.</summary>
public static class RunCommands
{
    public static async Task<int> Once(
        Options options, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken stopping)
    {
        using var setup = await DispatcherSetup.Create(options.Config, environment, stopping);
        var status = await RunOnce(setup, new ThrottleLanes(), options.MaxCycles, stderr, stopping);
        await stdout.WriteLineAsync(StatusPublisher.DocumentText(status));
        return Report(status, stderr);
    }

    public static async Task<int> Service(
        Options options, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken stopping)
    {
        if (options.MaxCycles is not null)
        {
            throw new UsageException("--max-cycles belongs to once");
        }

        using var setup = await DispatcherSetup.Create(options.Config, environment, stopping);
        var lanes = new ThrottleLanes();
        await stderr.WriteLineAsync("bqdispatch: running a dispatch every minute; Ctrl+C or SIGTERM stops after the cycle in flight");
        var failed = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var status = await RunOnce(setup, lanes, null, stderr, stopping);
                await stdout.WriteLineAsync(StatusJson.Serialize(status));
                failed = Report(status, stderr) != 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A service outlives one bad run: say what happened in one line and try again next minute.
                failed = true;
                await stderr.WriteLineAsync($"bqdispatch: run failed, retrying next minute: {e.GetType().Name}: {e.Message}");
            }

            await SystemClock.Instance.Delay(UntilNextMinute(DateTimeOffset.UtcNow), stopping);
        }

        await stderr.WriteLineAsync("bqdispatch: stopped");
        return failed ? 1 : 0;
    }

    private static Task<StatusDocument> RunOnce(
        DispatcherSetup setup, ThrottleLanes lanes, int? maxCycles, TextWriter stderr, CancellationToken stopping) =>
        setup.RunInProcess(lanes, setup.Settings(maxCycles), line => stderr.WriteLine(line), stopping);

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
