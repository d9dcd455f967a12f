using System.Globalization;

namespace BqDispatch.Core.Naming;

/// <summary>
/// A batch window file tail creates in AsyncTaskURL: <c>&lt;DestTable&gt;_&lt;hash&gt;_&lt;end unix seconds&gt;.win</c>.
/// The dispatcher fires it once due, and marks it fired with a sibling <c>.wis</c> file.
/// </summary>
/// <param name="ObjectName">The file name, e.g. <c>ds.t_987_1700000000.win</c>.</param>
/// <param name="End">When the window closes (UTC).</param>
public sealed record WindowName(string ObjectName, DateTimeOffset End)
{
    /// <summary>Extension of window files.</summary>
    public const string WindowExtension = ".win";

    /// <summary>Extension of the "window scheduled" marker.</summary>
    public const string MarkerExtension = ".wis";

    private const int MaxEndDigits = 12;

    /// <summary>
    /// Reads a window file name, strictly <c>^(.+)_(\d{1,12})\.win$</c> (W21: bqtail parsed after the last
    /// '_' of the whole URL and assumed a 4-character extension). Folders are not allowed. Never throws.
    /// </summary>
    public static bool TryParse(string? objectName, out WindowName? window)
    {
        window = null;
        if (objectName is null || objectName.Contains('/') || !objectName.EndsWith(WindowExtension, StringComparison.Ordinal))
        {
            return false;
        }

        var stem = objectName[..^WindowExtension.Length];
        var lastUnderscore = stem.LastIndexOf('_');
        if (lastUnderscore < 1)
        {
            return false; // no '_', or nothing before it
        }

        var digits = stem[(lastUnderscore + 1)..];
        if (digits.Length is 0 or > MaxEndDigits || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        var seconds = long.Parse(digits, CultureInfo.InvariantCulture);
        if (seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        window = new WindowName(objectName, DateTimeOffset.FromUnixTimeSeconds(seconds));
        return true;
    }

    /// <summary>
    /// The destination table a window's name starts with, as tail wrote it: <c>&lt;DestTable&gt;_&lt;hash&gt;_&lt;end&gt;.win</c>
    /// without its hash and end (<c>ds.t_987_1700000000.win</c> → <c>ds.t</c>); what is left when the name has no hash.
    /// </summary>
    public string DestTable
    {
        get
        {
            var stem = ObjectName[..^WindowExtension.Length];
            stem = stem[..stem.LastIndexOf('_')];
            var hash = stem.LastIndexOf('_');
            return hash > 0 && stem[(hash + 1)..] is { Length: > 0 } digits && digits.All(char.IsAsciiDigit) ? stem[..hash] : stem;
        }
    }

    /// <summary>
    /// The marker for a window (name or URL): the <c>.win</c> suffix, and only the suffix, becomes <c>.wis</c>
    /// (W7: bqtail replaced the first ".win", so <c>ds.winners_…</c> got a wrong marker).
    /// </summary>
    /// <exception cref="ArgumentException">The name does not end with <c>.win</c>; a marker named like its window would overwrite it.</exception>
    public static string MarkerName(string windowObjectNameOrUrl) =>
        SwapSuffix(windowObjectNameOrUrl, WindowExtension, MarkerExtension);

    /// <summary>The window a marker (name or URL) belongs to: the <c>.wis</c> suffix becomes <c>.win</c>.</summary>
    /// <exception cref="ArgumentException">The name does not end with <c>.wis</c>.</exception>
    public static string WindowOfMarker(string markerNameOrUrl) =>
        SwapSuffix(markerNameOrUrl, MarkerExtension, WindowExtension);

    private static string SwapSuffix(string name, string from, string to)
    {
        if (!name.EndsWith(from, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' does not end with {from}", nameof(name));
        }

        return name[..^from.Length] + to;
    }
}
