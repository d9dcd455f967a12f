using System.Globalization;

namespace BqDispatch.Benchmarks.Soak;

/// <summary>The soak's knobs: how long BqTail produces, how fast, how many calls fail, and the seed of every draw.</summary>
public sealed record SoakOptions(TimeSpan Duration, double TracesPerSecond, double FaultRate, int Seed, string? JsonFile)
{
    public const string Usage = "soak [--minutes 2] [--traces-per-second 20] [--faults 0.1] [--seed 1] [--json FILE]";

    public static SoakOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        var options = new SoakOptions(TimeSpan.FromMinutes(2), 20, 0.1, 1, null);
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--minutes" when value is not null:
                    options = options with { Duration = TimeSpan.FromMinutes(double.Parse(value, CultureInfo.InvariantCulture)) };
                    break;
                case "--traces-per-second" when value is not null:
                    options = options with { TracesPerSecond = double.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--faults" when value is not null:
                    options = options with { FaultRate = double.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--seed" when value is not null:
                    options = options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--json" when value is not null:
                    options = options with { JsonFile = value };
                    break;
                default:
                    error.WriteLine($"unknown or incomplete argument {args[i]}; usage: {Usage}");
                    return null;
            }

            i++;
        }

        return options;
    }
}
