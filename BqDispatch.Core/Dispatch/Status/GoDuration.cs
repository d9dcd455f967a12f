using System.Globalization;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>Formats a duration the way Go's time.Duration prints it, as bqtail's ListTime does ("231.7ms", "1.204s").</summary>
public static class GoDuration
{
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        var ms = duration.TotalMilliseconds;
        return ms < 1000
            ? ms.ToString("0.###", CultureInfo.InvariantCulture) + "ms"
            : (ms / 1000).ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}
