namespace BqDispatch.Core.Storage;

/// <summary>
/// Names of one folder level from <see cref="From"/> (inclusive) up to <see cref="To"/> (exclusive), in Cloud Storage's
/// order (<see cref="ObjectNameComparer"/>); null leaves that end open. Names are relative to the listed folder: an
/// object's <see cref="StoredObject.Name"/>, or a deeper name such as <c>sub/x</c>.
/// </summary>
public sealed record NameRange(string? From, string? To)
{
    /// <summary>Every name.</summary>
    public static readonly NameRange All = new(null, null);

    public bool Contains(string name) =>
        (From is null || ObjectNameComparer.Instance.Compare(name, From) >= 0)
        && (To is null || ObjectNameComparer.Instance.Compare(name, To) < 0);
}
