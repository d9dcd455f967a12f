using System.Text.Json;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Storage;

namespace BqDispatch.Cli;

/// <summary>
/// The once and run commands: the self-hosted dispatcher on the in-process engine. Both keep the project throttles in
/// JournalURL/throttle.json, so the reservations of a dispatcher that stopped are honoured by the next one.
/// </summary>
public static class RunCommands
{
    public static async Task<int> Once(
        Options options, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken stopping)
    {
        if (options.Http is not null)
        {
            throw new UsageException("--http belongs to run");
        }

        using var setup = await DispatcherSetup.Create(options.Config, environment, stopping);
        if (await KeptThrottles(setup, stderr, stopping) is not { } throttles)
        {
            return 1;
        }

        await using var events = SelfHostedEvents.Start(setup, throttles, stderr, stopping);
        var status = await setup.RunInProcess(throttles, setup.Settings(options.MaxCycles), line => stderr.WriteLine(line), stopping, events.Ledger);
        await events.DisposeAsync();
        await Persist(throttles, stderr);
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

        var endpoint = options.Http is null ? null : StatusServer.Endpoint(options.Http);
        using var setup = await DispatcherSetup.Create(options.Config, environment, stopping);
        if (await KeptThrottles(setup, stderr, stopping) is not { } throttles)
        {
            return 1;
        }

        var board = new SelfHostedStatus(SingletonRun.InstanceId(setup.Config), DateTimeOffset.UtcNow);
        var publisher = setup.Activities.Publisher;
        await using var server = endpoint is null
            ? null
            : await StatusServer.Start(
                endpoint,
                async ct => LatestStatus.Compose(board.View(), await publisher.ReadLastRun(ct)),
                async ct => LatestQueue.Compose(await publisher.ReadQueue(ct), publisher.QueueUrl));
        if (server is not null)
        {
            await stderr.WriteLineAsync($"bqdispatch: status on {server.Root} (GET / and GET /queue)");
        }

        await using var events = SelfHostedEvents.Start(setup, throttles, stderr, stopping);
        await stderr.WriteLineAsync("bqdispatch: running dispatch runs back to back; Ctrl+C or SIGTERM stops after the cycle in flight");
        var failed = false;
        var settings = setup.Settings(null);
        var runs = new BackToBackRuns(
            carried => setup.ContinueInProcess(
                throttles, settings, line => stderr.WriteLine(line), stopping, carried, status => board.Cycle(status, DateTimeOffset.UtcNow), events.Ledger),
            settings.Pause,
            SystemClock.Instance);
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

        await events.DisposeAsync();
        await Persist(throttles, stderr);
        await stderr.WriteLineAsync("bqdispatch: stopped");
        return failed ? 1 : 0;
    }

    // Starting without the kept reservations could admit their slots a second time: a state that cannot be read stops the start.
    private static async Task<ProjectThrottles?> KeptThrottles(DispatcherSetup setup, TextWriter stderr, CancellationToken stopping)
    {
        try
        {
            return await setup.KeptThrottles(stopping);
        }
        catch (Exception e) when (e is StorageException or JsonException)
        {
            await stderr.WriteLineAsync($"bqdispatch: the kept throttle state cannot be read: {e.Message}");
            return null;
        }
    }

    private static async Task Persist(ProjectThrottles throttles, TextWriter stderr)
    {
        if (await throttles.Persist(CancellationToken.None) is { } error)
        {
            await stderr.WriteLineAsync($"bqdispatch: {error}");
        }
    }

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
