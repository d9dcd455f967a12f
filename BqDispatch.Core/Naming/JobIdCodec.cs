using System.Globalization;

namespace BqDispatch.Core.Naming;

/// <summary>
/// bqtail's job id codec (stage/activity/info.go): how a job's description becomes a trace-file name
/// and a BigQuery job id, and how a job id is read back. The decode is lossy on purpose (bqtail's), and
/// the _bqjob_ file names depend on exactly this loss, so the rules are kept verbatim.
/// </summary>
public static class JobIdCodec
{
    /// <summary>Separator that stands for '/' inside job ids.</summary>
    public const string PathElementSeparator = "--";

    /// <summary>Mode of async jobs: the suffix every trace-file name ends with.</summary>
    public const string DispatchMode = "dispatch";

    /// <summary>Mode a parsed id gets unless it ends with <see cref="DispatchMode"/>.</summary>
    public const string TailMode = "tail";

    /// <summary>Action a parsed id gets when it does not name one.</summary>
    public const string NopAction = "nop";

    private const string JsonExtension = ".json";

    /// <summary>Escapes the characters bqtail escapes; nothing else (other characters pass through).</summary>
    public static string Decode(string s) =>
        s.Replace("/", PathElementSeparator, StringComparison.Ordinal)
            .Replace('$', '_')
            .Replace(':', '_')
            .Replace('.', '_');

    /// <summary>Reads a job id (or legacy path form) back; never fails, unreadable parts get defaults.</summary>
    public static JobInfo Parse(string encoded)
    {
        var path = RemoveFirst(encoded, JsonExtension)
            .Replace(PathElementSeparator, "/", StringComparison.Ordinal);
        var mode = path.EndsWith(DispatchMode, StringComparison.Ordinal) ? DispatchMode : TailMode;
        var elements = path.Split('/');
        if (elements.Length < 2)
        {
            // bqtail invents a random event id here; a deterministic empty one serves every caller better.
            return new JobInfo(DestTable: "", EventId: "", Step: 0, Action: NopAction, Mode: mode);
        }

        var token = elements[^2].Split('_');
        var step = 0L;
        var action = NopAction;
        if (token.Length > 2)
        {
            step = ParseStep(token[1]);
            action = token[2];
        }

        var destTable = string.Join(PathElementSeparator, elements[..^2]);
        return new JobInfo(destTable, EventId: token[0], step, action, mode);
    }

    /// <summary>
    /// The trace-file name relative to AsyncTaskURL: <c>proj:&lt;p&gt;:&lt;r&gt;/</c> (when a project is given),
    /// then <c>&lt;DestTable&gt;--</c> (when there is one), then <c>&lt;EventId&gt;_&lt;Step&gt;_&lt;Action&gt;--&lt;Mode&gt;</c>.
    /// </summary>
    public static string JobFilename(JobInfo info, string projectId, string region)
    {
        var folder = projectId.Length > 0 ? ProjectFolder.Name(projectId, region) + "/" : "";
        var dest = info.DestTable.Length > 0 ? info.DestTable + PathElementSeparator : "";
        return folder + dest + Token(info) + PathElementSeparator + info.Mode;
    }

    /// <summary>The BigQuery job id: the file name without its project folder, decoded.</summary>
    public static string JobId(JobInfo info) => Decode(JobFilename(info, projectId: "", region: ""));

    /// <summary>True when BigQuery accepts <paramref name="id"/> as a job id: 1 to 1024 of [A-Za-z0-9_-].</summary>
    public static bool IsValidJobId(string id) =>
        id.Length is > 0 and <= 1024 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>
    /// <c>&lt;EventId&gt;_&lt;Step&gt;</c> as names spell it: one step of one event, whatever its action and table (a load
    /// into a temp table is followed by a copy into another). BqTail's follow-up of step s is step s + 1.
    /// </summary>
    public static string EventStep(JobInfo info) => $"{info.EventId}_{FiveDigits(info.Step % 99999)}";

    private static string Token(JobInfo info) => $"{EventStep(info)}_{info.Action}";

    // Go's %05d: the sign counts towards the width.
    private static string FiveDigits(long value) =>
        value < 0
            ? "-" + (-value).ToString("D4", CultureInfo.InvariantCulture)
            : value.ToString("D5", CultureInfo.InvariantCulture);

    // Go's strconv.Atoi, ignoring its error: anything unreadable is 0.
    private static long ParseStep(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var step) ? step : 0;

    private static string RemoveFirst(string s, string value)
    {
        var index = s.IndexOf(value, StringComparison.Ordinal);
        return index < 0 ? s : s.Remove(index, value.Length);
    }
}
