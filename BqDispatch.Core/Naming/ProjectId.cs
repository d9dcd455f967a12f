namespace BqDispatch.Core.Naming;

/// <summary>
/// What can be a BigQuery project id: ASCII letters, digits and '-', with an optional <c>domain.tld:</c> prefix
/// (domain-scoped projects such as <c>example.com:p</c>). Checked before an id reaches a request path, where '.', '..'
/// or a '/' would rewrite the URL (<c>projects/../jobs</c> is <c>/jobs</c>).
/// </summary>
public static class ProjectId
{
    /// <summary>The rule, as error messages state it.</summary>
    public const string Rule = "letters, digits and '-', with an optional domain.tld: prefix";

    public static bool IsValid(string? project)
    {
        if (string.IsNullOrEmpty(project))
        {
            return false;
        }

        var colon = project.LastIndexOf(':');
        if (!IsPart(project[(colon + 1)..]))
        {
            return false;
        }

        var labels = colon < 0 ? null : project[..colon].Split('.');
        return labels is null || (labels.Length >= 2 && labels.All(IsPart));
    }

    private static bool IsPart(string text) => text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
