using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Groups;

/// <summary>
/// One member job of a group, as the group file names it: <c>&lt;project&gt;:&lt;location&gt;.&lt;job id&gt;</c> (bqtail's
/// job reference). Job ids and locations hold no '.' or ':', so the last '.' ends the location and the last ':' before it
/// ends the project, which may be domain-scoped (<c>example.com:p</c>).
/// </summary>
public sealed record GroupMember(string Project, string Location, string JobId)
{
    /// <summary>The member's key in states and caches (the completion ledger's key too).</summary>
    public string Key => Project + "/" + JobId;

    public static bool TryParse(string? text, out GroupMember? member)
    {
        member = null;
        var dot = text?.LastIndexOf('.') ?? -1;
        if (text is null || dot < 0)
        {
            return false;
        }

        var colon = text.LastIndexOf(':', dot);
        if (colon < 0)
        {
            return false;
        }

        var (project, location, jobId) = (text[..colon], text[(colon + 1)..dot], text[(dot + 1)..]);
        if (!ProjectId.IsValid(project) || location.Length == 0 || !location.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            || !JobIdCodec.IsValidJobId(jobId))
        {
            return false;
        }

        member = new GroupMember(project, location, jobId);
        return true;
    }

    public override string ToString() => $"{Project}:{Location}.{JobId}";
}
