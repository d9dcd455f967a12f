using System.Globalization;

namespace BqDispatch.Cli;

/// <summary>The options of a command: --config, --max-cycles, --http, and positional arguments.</summary>
public sealed record Options(string? Config, int? MaxCycles, IReadOnlyList<string> Arguments, string? Http = null)
{
    public static Options Parse(IReadOnlyList<string> args)
    {
        string? config = null;
        int? maxCycles = null;
        string? http = null;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config":
                    config = Value(args, ++i, "--config");
                    break;
                case "--max-cycles":
                    var text = Value(args, ++i, "--max-cycles");
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                    {
                        throw new UsageException($"--max-cycles needs a whole number of at least 1, not '{text}'");
                    }

                    maxCycles = n;
                    break;
                case "--http":
                    http = Value(args, ++i, "--http");
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    throw new UsageException($"unknown option '{option}'");
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        return new Options(config, maxCycles, positional, http);
    }

    private static string Value(IReadOnlyList<string> args, int index, string option) =>
        index < args.Count ? args[index] : throw new UsageException($"{option} needs a value");
}
