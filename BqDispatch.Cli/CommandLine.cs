using BqDispatch.Core.Configuration;
using BqDispatch.Core.Google;
using BqDispatch.Core.Storage;

namespace BqDispatch.Cli;

/// <summary>Parses the command line and runs the chosen command. Exit codes: 0 ok, 1 run error, 2 usage or configuration error.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: bqdispatch <command> [options]

        commands:
          once [--config X] [--max-cycles N]   one run: cycles until the time budget (or N cycles), then prints
                                               the status document as JSON; exit 0 when its Status is ok, else 1
          run [--config X] [--http ADDR:PORT]  runs back to back until SIGINT/SIGTERM (the cycle in flight finishes;
                                               a second signal, or BQDISPATCH_STOP_GRACE_SEC (25) later, ends it);
                                               --http 127.0.0.1:8282 serves GET / (status) and GET /queue (held work
                                               per lane) on that loopback address
          demo [--max-cycles N]                no Google account needed: a seeded workload, the BigQuery emulator
                                               on 127.0.0.1 and in-memory storage, with live progress (8 cycles)
          durable [--max-cycles N]             the demo in the Azure shape: the Functions app's orchestration, activities
                                               and throttle entities on the Durable Task runtime (Azure Storage backend on
                                               Azurite, installed with npm on first use)
          plan [--config X]                    dry run: what the next cycle would hand off, fire, hold back and why,
                                               each with its lane
          status [--config X]                  the latest per-project figures, from JournalURL/performance.json, and
                                               the lanes of the last finished run, from JournalURL/status.json
          decode <job id | trace name>         shows how bqtail's naming reads a job id or trace file name

        --config takes a file path, a file://, gs:// or mem:// URL, or JSON text; without it the CONFIG
        environment variable is used. Logs go to stderr, the status document to stdout.
        """;

    public static async Task<int> Run(
        string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken stopping = default)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = Options.Parse(args[1..]);
            return args[0] switch
            {
                "once" => await RunCommands.Once(options, stdout, stderr, environment, stopping),
                "run" => await RunCommands.Service(options, stdout, stderr, environment, stopping),
                "demo" => await Demo.DemoCommand.Run(options, stdout, stderr, stopping),
                "durable" => await Durable.DurableCommand.Run(options, stdout, stderr, stopping),
                "plan" => await PlanCommand.Run(options, stdout, environment, stopping),
                "status" => await StatusCommand.Run(options, stdout, stderr, environment, stopping),
                "decode" => DecodeCommand.Run(options, stdout),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"bqdispatch: {e.Message}\n\n{Usage}");
            return 2;
        }
        catch (ConfigException e)
        {
            await stderr.WriteLineAsync($"bqdispatch: {e.Message}");
            return 2;
        }
        catch (StorageException e)
        {
            await stderr.WriteLineAsync($"bqdispatch: reading the configuration failed: {e.Message}");
            return 2;
        }
        catch (GoogleAccessException e)
        {
            await stderr.WriteLineAsync($"bqdispatch: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped before a run began, e.g. while the configuration was being read.
            await stderr.WriteLineAsync("bqdispatch: stopped");
            return 1;
        }
        catch (Exception e)
        {
            // Anything unforeseen still ends in one line, not a stack trace.
            await stderr.WriteLineAsync($"bqdispatch: unexpected error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}

/// <summary>A command line the user has to correct.</summary>
public sealed class UsageException(string message) : Exception(message);
