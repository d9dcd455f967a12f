using System.Collections.Concurrent;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// Lists AsyncTaskURL one level deep, page by page: the root, and each <c>proj:&lt;project&gt;:&lt;region&gt;/</c> folder as
/// soon as a root page names it, several folders (and the ranges of a big one) at once. Each page goes to the caller's
/// handler with its folder and is not kept here. A failing or misnamed proj: folder is reported and skipped.
/// </summary>
public sealed class TaskFolderListing(IObjectStore store, RangedListing ranges, string asyncTaskUrl, string defaultProject)
{
    /// <summary>
    /// Reads the root and every proj: folder; <paramref name="onFolder"/> hears of each folder before its pages are read.
    /// Returns the problems met. Throws <see cref="StorageException"/> when the root itself cannot be listed.
    /// <paramref name="onGroupsFolder"/> hears (once) that the root holds the group folder, <c>_groups/</c>.
    /// </summary>
    public async Task<IReadOnlyList<string>> Read(
        Func<TaskFolder, Listing, CancellationToken, ValueTask> onPage, Action<TaskFolder> onFolder, CancellationToken cancellation, Action? onGroupsFolder = null)
    {
        var groupsFolder = asyncTaskUrl + Groups.GroupFile.Folder;
        var problems = new ConcurrentQueue<string>();
        var folders = new Dictionary<string, Task>(StringComparer.Ordinal);
        var root = new TaskFolder(asyncTaskUrl, "", defaultProject, "");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            await ranges.List(
                store,
                asyncTaskUrl,
                (page, ct) =>
                {
                    lock (folders)
                    {
                        if (onGroupsFolder is not null && page.Folders.Contains(groupsFolder, StringComparer.Ordinal))
                        {
                            onGroupsFolder();
                        }

                        // A split root can name a folder in two ranges: it is listed once.
                        foreach (var url in page.Folders.Where(url => !folders.ContainsKey(url)))
                        {
                            folders[url] = ReadFolder(url, onPage, onFolder, problems, stop.Token);
                        }
                    }

                    return onPage(root, page, ct);
                },
                stop.Token);
        }
        catch (StorageException)
        {
            // Nothing of a scan whose root failed is used: its folder listings are stopped, and awaited so that no work
            // outlives the scan.
            await stop.CancelAsync();
            await Task.WhenAll(folders.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        await Task.WhenAll(folders.Values);
        return [.. problems];
    }

    private async Task ReadFolder(
        string url,
        Func<TaskFolder, Listing, CancellationToken, ValueTask> onPage,
        Action<TaskFolder> onFolder,
        ConcurrentQueue<string> problems,
        CancellationToken cancellation)
    {
        var name = url[asyncTaskUrl.Length..].TrimEnd('/');
        if (!name.StartsWith("proj:", StringComparison.Ordinal))
        {
            return;
        }

        if (!ProjectFolder.TryParse(name, out var project, out var region))
        {
            // Its name never reaches a BigQuery URL, and it is never listed.
            problems.Enqueue($"folder {url} is not proj:<project>:<region> with a BigQuery project id ({ProjectId.Rule}); its files are not dispatched");
            return;
        }

        // Off the root page's handler, which goes on with its page.
        await Task.Yield();
        var folder = new TaskFolder(url, name + "/", project, region);
        onFolder(folder);
        try
        {
            await ranges.List(store, url, (page, ct) => onPage(folder, page, ct), cancellation);
        }
        catch (StorageException e)
        {
            problems.Enqueue($"listing {url} failed, its traces wait for a later cycle: {e.Message}");
        }
    }
}
