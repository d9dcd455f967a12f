using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>A trace object with the BigQuery project and region its job lives in.</summary>
public sealed record TracedObject(StoredObject Object, TraceName Name, string Project, string Region);

/// <summary>A .win object whose name parsed.</summary>
public sealed record WindowObject(StoredObject Object, WindowName Name);

/// <summary>Everything AsyncTaskURL holds, one level at the root and in each proj:&lt;p&gt;:&lt;r&gt;/ folder, sorted by kind.</summary>
public sealed record TaskFolderContents(
    IReadOnlyList<TracedObject> Traces,
    IReadOnlyList<WindowObject> Windows,
    IReadOnlyList<StoredObject> Markers,
    IReadOnlyList<StoredObject> Ignored,
    IReadOnlyList<string> Errors);

/// <summary>Lists the task folder. A failing proj: folder is reported and skipped; a failing root throws.</summary>
public static class TaskFolderListing
{
    private const int FolderParallelism = 8;

    /// <summary>Classifies the <paramref name="root"/> listing and lists and classifies each proj: folder it names.</summary>
    public static async Task<TaskFolderContents> Read(
        IObjectStore store, string asyncTaskUrl, string defaultProject, Listing root, CancellationToken cancellation)
    {
        var traces = new List<TracedObject>();
        var windows = new List<WindowObject>();
        var markers = new List<StoredObject>();
        var ignored = new List<StoredObject>();
        var errors = new List<string>();

        Classify(root.Objects, asyncTaskUrl, defaultProject, "", traces, windows, markers, ignored, errors);

        // A folder whose name cannot hold a BigQuery project is reported and never listed.
        var folders = new List<(string Url, string Project, string Region)>();
        foreach (var (url, name) in ProjectFolders(root, asyncTaskUrl))
        {
            if (ProjectFolder.TryParse(name, out var project, out var region))
            {
                folders.Add((url, project, region));
            }
            else
            {
                errors.Add($"folder {url} is not proj:<project>:<region> with a BigQuery project id ({ProjectId.Rule}); its files are not dispatched");
            }
        }

        var listings = await BoundedParallel.Map(
            folders,
            FolderParallelism,
            async (folder, ct) =>
            {
                try
                {
                    return (Folder: folder, Listing: await store.List(folder.Url, ct), Error: (string?)null);
                }
                catch (StorageException e)
                {
                    return (Folder: folder, Listing: (Listing?)null, Error: $"listing {folder.Url} failed, its traces wait for a later cycle: {e.Message}");
                }
            },
            cancellation);

        foreach (var (folder, listing, error) in listings)
        {
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                Classify(listing!.Objects, asyncTaskUrl, folder.Project, folder.Region, traces, windows, markers, ignored, errors);
            }
        }

        return new TaskFolderContents(traces, windows, markers, ignored, errors);
    }

    /// <summary>
    /// The BigQuery projects a root listing already names: its proj: folders, and the configured project when
    /// traces lie at the root. Their jobs can be listed while the folders themselves are still being listed.
    /// </summary>
    public static IReadOnlyList<string> ProjectsNamed(Listing root, string asyncTaskUrl, string defaultProject)
    {
        var projects = ProjectFolders(root, asyncTaskUrl)
            .Select(f => ProjectFolder.TryParse(f.Name, out var project, out _) ? project : null)
            .OfType<string>()
            .ToList();
        if (root.Objects.Any(o => TraceName.TryParse(o.Url[asyncTaskUrl.Length..], out _)))
        {
            projects.Add(defaultProject);
        }

        return projects.Distinct(StringComparer.Ordinal).ToList();
    }

    private static List<(string Url, string Name)> ProjectFolders(Listing root, string asyncTaskUrl) => root.Folders
        .Select(url => (Url: url, Name: url[asyncTaskUrl.Length..].TrimEnd('/')))
        .Where(f => f.Name.StartsWith("proj:", StringComparison.Ordinal))
        .ToList();

    private static void Classify(
        IReadOnlyList<StoredObject> objects,
        string asyncTaskUrl,
        string project,
        string region,
        List<TracedObject> traces,
        List<WindowObject> windows,
        List<StoredObject> markers,
        List<StoredObject> ignored,
        List<string> errors)
    {
        foreach (var obj in objects)
        {
            if (obj.Name.EndsWith(".win", StringComparison.Ordinal))
            {
                if (WindowName.TryParse(obj.Name, out var window))
                {
                    windows.Add(new WindowObject(obj, window!));
                }
                else
                {
                    errors.Add($"window {obj.Url} cannot be fired: its name does not end with _<unix seconds>.win");
                }
            }
            else if (obj.Name.EndsWith(".wis", StringComparison.Ordinal))
            {
                markers.Add(obj);
            }
            else if (TraceName.TryParse(obj.Url[asyncTaskUrl.Length..], out var trace))
            {
                traces.Add(new TracedObject(obj, trace!, project, region));
            }
            else
            {
                ignored.Add(obj);
            }
        }
    }
}
