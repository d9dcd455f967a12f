using System.Text.RegularExpressions;

namespace BqDispatch.Core.Throttling;

/// <summary>A lane's When pattern as a regular expression: anchored, culture-invariant, and linear in time to match.</summary>
public static class LanePattern
{
    /// <summary>
    /// Compiles <paramref name="pattern"/> to match whole texts. The non-backtracking engine keeps matching linear, so a
    /// pattern cannot stall a cycle; it refuses look-arounds and back-references.
    /// </summary>
    /// <exception cref="ArgumentException">Not a regular expression this engine takes; the message says why.</exception>
    public static Regex Compile(string pattern)
    {
        try
        {
            return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException e)
        {
            throw new ArgumentException(e.Message, nameof(pattern), e);
        }
    }
}
