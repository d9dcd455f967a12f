namespace BqDispatch.Core.Naming;

/// <summary>
/// The per-project trace folders tail creates in AsyncTaskURL: <c>proj:&lt;project&gt;:&lt;region&gt;</c>.
/// </summary>
public static class ProjectFolder
{
    /// <summary>The prefix that marks a project folder.</summary>
    public const string Prefix = "proj:";

    /// <summary>The folder name (no trailing '/') for a project and the location of its jobs.</summary>
    public static string Name(string project, string region) => Prefix + project + ":" + region;

    /// <summary>
    /// Reads a folder name. The region is after the LAST ':' so that domain-scoped projects
    /// (<c>proj:example.com:p:US</c> → <c>example.com:p</c>, <c>US</c>) survive; bqtail split at the first.
    /// A name without a region part (<c>proj:p</c>) has region "". One trailing '/' is tolerated. A project that
    /// cannot be a BigQuery project id (<see cref="ProjectId"/>: empty, '.', '..', other characters) makes no folder.
    /// </summary>
    public static bool TryParse(string? folderName, out string project, out string region)
    {
        project = "";
        region = "";
        if (folderName is null || !folderName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = folderName[Prefix.Length..];
        if (rest.EndsWith('/'))
        {
            rest = rest[..^1];
        }

        if (rest.Contains('/'))
        {
            return false;
        }

        var lastColon = rest.LastIndexOf(':');
        var parsedProject = lastColon < 0 ? rest : rest[..lastColon];
        if (!ProjectId.IsValid(parsedProject))
        {
            return false;
        }

        project = parsedProject;
        region = lastColon < 0 ? "" : rest[(lastColon + 1)..];
        return true;
    }
}
