namespace BqDispatch.Core.Storage;

/// <summary>Cuts one folder level that a backend holds whole (memory, a directory) into pages, as Cloud Storage pages a listing.</summary>
internal static class LevelPages
{
    /// <summary>Objects and sub-folder URLs (each list in name order) as pages of at most <paramref name="pageSize"/> entries, merged in name order.</summary>
    public static IEnumerable<Listing> Of(List<StoredObject> objects, List<string> folders, int pageSize)
    {
        var o = 0;
        var f = 0;
        while (o < objects.Count || f < folders.Count)
        {
            var pageObjects = new List<StoredObject>();
            var pageFolders = new List<string>();
            while (pageObjects.Count + pageFolders.Count < pageSize && (o < objects.Count || f < folders.Count))
            {
                // A folder URL ends with '/', its name with it: compare it as the name it stands for.
                if (f < folders.Count && (o == objects.Count || ObjectNameComparer.Instance.Compare(folders[f], objects[o].Url) < 0))
                {
                    pageFolders.Add(folders[f++]);
                }
                else
                {
                    pageObjects.Add(objects[o++]);
                }
            }

            yield return new Listing(pageObjects, pageFolders);
        }
    }
}
