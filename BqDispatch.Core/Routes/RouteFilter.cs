using System.Text.RegularExpressions;

namespace BqDispatch.Core.Routes;

/// <summary>
/// A rule's <c>When</c>, with the 2019 semantics (§7.1): <see cref="Type"/> compared without regard to case,
/// <see cref="Source"/> and <see cref="Dest"/> unanchored regular expressions on the job's source and destination; every
/// one given must match, and at least one of Source and Dest must be given (a Type-only filter never matches).
/// </summary>
public sealed record RouteFilter(string? Type, Regex? Source, Regex? Dest)
{
    /// <summary>A pattern that runs away on a hostile input fails the match instead of the sweep.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public bool Matches(FinishedJob job)
    {
        if (Source is null && Dest is null)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(Type) && !string.Equals(Type, job.Type, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            return (Source is null || Source.IsMatch(job.Source)) && (Dest is null || Dest.IsMatch(job.Dest));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>A pattern as a rule gives it; throws <see cref="ArgumentException"/> when it is not a regular expression.</summary>
    public static Regex Pattern(string pattern) => new(pattern, RegexOptions.CultureInvariant, MatchTimeout);
}
