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
        await stderr.WriteLineAsync("bqdispatch: running dispatch runs back to back; Ctrl+C or SIGTERM stops after the cycle in flight");
        var failed = false;
        var settings = setup.Settings(null);
        var runs = new BackToBackRuns(
            carried => setup.ContinueInProcess(lanes, settings, line => stderr.WriteLine(line), stopping, carried), settings.Pause, SystemClock.Instance);
        await runs.Run(
            async status =>
            {
                await stdout.WriteLineAsync(StatusJson.Serialize(status));
                failed = Report(status, stderr) != 0;
            },
            async e =>
            {
                // A service outlives one bad run: say what happened in one line and go on after the cycle pause.
                failed = true;
                await stderr.WriteLineAsync($"bqdispatch: run failed, going on after the cycle pause: {e.GetType().Name}: {e.Message}");
            },
            stopping);

        await stderr.WriteLineAsync("bqdispatch: stopped");
        return failed ? 1 : 0;
    }

    private static Task<StatusDocument> RunOnce(
        DispatcherSetup setup, ThrottleLanes lanes, int? maxCycles, TextWriter stderr, CancellationToken stopping) =>
        setup.RunInProcess(lanes, setup.Settings(maxCycles), line => stderr.WriteLine(line), stopping);

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
