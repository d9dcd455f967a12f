using System.Security.Cryptography;
using System.Text;

namespace BqDispatch.Core.Hosting;

/// <summary>The durable entity key of a project's throttle.</summary>
public static class ThrottleKeys
{
    private const int MaxPlainLength = 80;

    /// <summary>
    /// The project id itself when it is made of letters, digits and <c>. : - _</c> (every BigQuery project id,
    /// domain-scoped ones included) and short; otherwise a readable part plus a hash, so that no two projects
    /// share a throttle and no key carries characters Durable reserves (<c>@ / \ # ?</c>).
    /// </summary>
    public static string For(string project)
    {
        ArgumentNullException.ThrowIfNull(project);
        if (project.Length is > 0 and <= MaxPlainLength && project.All(IsPlain))
        {
            return project;
        }

        var readable = new string(project.Select(c => IsPlain(c) ? c : '_').Take(40).ToArray());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(project)), 0, 8);
        return $"{readable}~{hash}";
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or ':' or '-' or '_';
}
