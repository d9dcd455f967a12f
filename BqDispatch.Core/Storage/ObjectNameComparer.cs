namespace BqDispatch.Core.Storage;

/// <summary>
/// Orders object names the way Cloud Storage lists them: by their UTF-8 bytes, which is Unicode code-point
/// order. Plain ordinal comparison of .NET strings compares UTF-16 code units and puts characters above
/// U+FFFF (surrogate pairs) before U+E000–U+FFFF; this comparer corrects that.
/// </summary>
public sealed class ObjectNameComparer : IComparer<string>
{
    private ObjectNameComparer()
    {
    }

    public static ObjectNameComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a != b)
            {
                return CodePointRank(a) - CodePointRank(b);
            }
        }

        return x.Length - y.Length;
    }

    // Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF, so they must rank after U+E000–U+FFFF.
    private static int CodePointRank(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
