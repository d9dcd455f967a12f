using System.Text;
using System.Text.RegularExpressions;

namespace BqDispatch.Emulators.Storage;

/// <summary>
/// objects.list's matchGlob, as far as clients here use it: <c>*</c> (any characters but '/'), <c>**</c> (any characters),
/// <c>?</c> (one character but '/') and literal characters. Character classes and braces are refused (400).
/// </summary>
internal sealed class MatchGlob(Regex pattern)
{
    public static MatchGlob Parse(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            switch (glob[i])
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    pattern.Append(".*");
                    i++;
                    break;
                case '*':
                    pattern.Append("[^/]*");
                    break;
                case '?':
                    pattern.Append("[^/]");
                    break;
                case '[' or ']' or '{' or '}' or '\\':
                    throw StorageError.Invalid($"The glob pattern {glob} uses '{glob[i]}', which this emulator does not support.");
                default:
                    pattern.Append(Regex.Escape(glob[i].ToString()));
                    break;
            }
        }

        return new MatchGlob(new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline));
    }

    public bool Matches(string name) => pattern.IsMatch(name);
}
