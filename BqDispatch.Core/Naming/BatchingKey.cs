namespace BqDispatch.Core.Naming;

/// <summary>Which project a batch window belongs to, for reporting and for throttling.</summary>
public static class BatchingKey
{
    private const string TasksFolder = "/Tasks/";
    private const string Suffix = "/batching";

    /// <summary>
    /// The performance key bqtail reports windows under (extractBatchDestProject): <c>&lt;x&gt;/batching</c>, where x
    /// is the text after <c>/Tasks/</c> up to its first ':' (a project) when it has one, else up to its first '.'
    /// (a dataset); <paramref name="defaultProject"/> when the URL has no <c>/Tasks/</c> or that x is empty.
    /// Kept only so that performance.json keys stay what balancers read.
    /// </summary>
    public static string For(string windowUrl, string defaultProject)
    {
        var tasks = windowUrl.IndexOf(TasksFolder, StringComparison.Ordinal);
        if (tasks < 0)
        {
            return defaultProject + Suffix;
        }

        var rest = windowUrl[(tasks + TasksFolder.Length)..];
        // As in bqtail: a name with a ':' is decided by the ':' alone, even when nothing precedes it.
        var key = rest.Contains(':', StringComparison.Ordinal)
            ? PartBefore(rest, ':')
            : PartBefore(rest, '.');
        return (key ?? defaultProject) + Suffix;
    }

    /// <summary>
    /// The BigQuery project a window's load runs in: the part before the first ':' of its name when there is one
    /// (<c>p1:ds.t_…</c> → p1), else <paramref name="defaultProject"/>. Throttling needs this, not the
    /// compatibility key above, which can name a dataset.
    /// </summary>
    public static string WindowProject(string windowObjectName, string defaultProject) =>
        PartBefore(windowObjectName, ':') ?? defaultProject;

    private static string? PartBefore(string s, char separator)
    {
        var index = s.IndexOf(separator, StringComparison.Ordinal);
        return index > 0 ? s[..index] : null;
    }
}
