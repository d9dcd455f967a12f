namespace BqDispatch.Core.Storage;

/// <summary>
/// Names of one folder level from <see cref="From"/> (inclusive) up to <see cref="To"/> (exclusive), in Cloud Storage's
/// order (<see cref="ObjectNameComparer"/>); null leaves that end open. Names are relative to the listed folder: an
/// object's <see cref="StoredObject.Name"/>, or a deeper name such as <c>sub/x</c>. With <see cref="EndsWith"/>, only
/// the objects of the level whose name ends so (Cloud Storage's matchGlob <c>folder/*suffix</c>; no sub-folders).
/// </summary>
public sealed record NameRange(string? From, string? To, string? EndsWith = null)
{
    /// <summary>Every name.</summary>
    public static readonly NameRange All = new(null, null);

    /// <summary>The objects of the level whose name ends with <paramref name="suffix"/> (no glob characters in it).</summary>
    public static NameRange Ending(string suffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(suffix);
        if (suffix.IndexOfAny(['*', '?', '[', ']', '{', '}', '\\', '/']) >= 0)
        {
            throw new ArgumentException($"'{suffix}' holds a character that globs or folders give a meaning to", nameof(suffix));
        }

        return new NameRange(null, null, suffix);
    }

    public bool Contains(string name) =>
        (From is null || ObjectNameComparer.Instance.Compare(name, From) >= 0)
        && (To is null || ObjectNameComparer.Instance.Compare(name, To) < 0)
        && (EndsWith is null || (!name.Contains('/', StringComparison.Ordinal) && name.EndsWith(EndsWith, StringComparison.Ordinal)));
}
