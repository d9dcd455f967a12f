using System.Globalization;

namespace BqDispatch.Benchmarks;

/// <summary>
/// The <c>--name value</c> options of a benchmark command, each with its default (null: none); an unknown option, or one
/// without its value, is reported with the known ones.
/// </summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string?> values;

    private CommandOptions(Dictionary<string, string?> values)
    {
        this.values = values;
    }

    /// <summary>The options, or null (after saying why on <paramref name="log"/>) when an argument is not one of them.</summary>
    public static CommandOptions? Parse(IReadOnlyList<string> args, TextWriter log, params (string Name, string? Default)[] known)
    {
        var values = known.ToDictionary(k => k.Name, k => k.Default, StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (!values.ContainsKey(args[i]) || i + 1 >= args.Count)
            {
                log.WriteLine($"{args[i]}: not an option, or no value after it; known: {string.Join(", ", known.Select(k => k.Name + " " + (k.Default ?? "VALUE")))}");
                return null;
            }

            values[args[i]] = args[++i];
        }

        return new CommandOptions(values);
    }

    public int Int(string name) => int.Parse(values[name]!, CultureInfo.InvariantCulture);

    public double Double(string name) => double.Parse(values[name]!, CultureInfo.InvariantCulture);

    /// <summary>A latency in milliseconds.</summary>
    public TimeSpan Milliseconds(string name) => TimeSpan.FromMilliseconds(Int(name));

    public string? Text(string name) => values[name];
}
