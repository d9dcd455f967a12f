namespace BqDispatch.Core.Storage;

/// <summary>A whole folder level at once, for callers that need all of it (small folders, lookups by name).</summary>
public static class ObjectStoreListing
{
    /// <summary>Every object and sub-folder one level below <paramref name="folderUrl"/>, each list in name order: all pages of <see cref="NameRange.All"/>.</summary>
    public static async Task<Listing> List(this IObjectStore store, string folderUrl, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(store);
        var objects = new List<StoredObject>();
        var folders = new List<string>();
        await foreach (var page in store.ListPages(folderUrl, NameRange.All, cancellation))
        {
            objects.AddRange(page.Objects);
            folders.AddRange(page.Folders);
        }

        // Pages come in name order; sorting the whole keeps that promise even for a service that does not.
        objects.Sort((a, b) => ObjectNameComparer.Instance.Compare(a.Name, b.Name));
        folders.Sort(ObjectNameComparer.Instance);
        return new Listing(objects, folders);
    }
}
