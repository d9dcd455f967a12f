namespace BqDispatch.Core.Configuration;

/// <summary>Finds the known key a misspelt one was probably meant to be.</summary>
internal static class KeySuggestion
{
    private const int MaxDistance = 2;

    /// <summary>The closest known key within edit distance 2 (ignoring case), or null.</summary>
    public static string? Closest(string key, IEnumerable<string> knownKeys)
    {
        string? best = null;
        var bestDistance = MaxDistance + 1;
        foreach (var known in knownKeys)
        {
            var distance = EditDistance(key.ToUpperInvariant(), known.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (known, distance);
            }
        }

        return best;
    }

    // Levenshtein distance: insertions, deletions and substitutions each cost 1.
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
