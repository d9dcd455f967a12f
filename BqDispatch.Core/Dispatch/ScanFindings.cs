using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>A .win object whose name parsed.</summary>
public sealed record WindowObject(StoredObject Object, WindowName Name);

/// <summary>
/// What the pages of one scan hold, taken in as they are read (several folders and ranges at once): traces go to the
/// <see cref="TraceClassification"/> once their project's active listing has ended; windows and markers are kept
/// whole (they are few, and all of them are work); everything else is counted, with a few names for the operator.
/// </summary>
public sealed class ScanFindings(ActiveListings active, TraceClassification traces)
{
    private static readonly string[] KnownBqTailExtensions = [".grp", ".loc"];

    private readonly Lock gate = new();
    private readonly List<WindowObject> windows = [];
    private readonly List<StoredObject> markers = [];
    private readonly Sample ignoredSamples = new(10);
    private readonly Sample problems = new(TaskFolderScanner.MaxErrors);

    public TraceClassification Traces { get; } = traces;

    public IReadOnlyList<WindowObject> Windows => windows;

    /// <summary>Markers in URL order, so what is done with them does not depend on the order pages arrived in.</summary>
    public IReadOnlyList<StoredObject> Markers => [.. markers.OrderBy(m => m.Url, StringComparer.Ordinal)];

    /// <summary>Objects that are neither traces nor windows nor markers.</summary>
    public int Ignored { get; private set; }

    /// <summary>The first ten ignored URLs (in order) that are not known bqtail files.</summary>
    public IReadOnlyList<string> IgnoredSamples => ignoredSamples.Items;

    /// <summary>Malformed window names, the first ones in order, and how many there were.</summary>
    public Sample Problems => problems;

    /// <summary>Takes in one page of <paramref name="folder"/>; waits for the project's active listing when the page holds traces.</summary>
    public async ValueTask Take(TaskFolder folder, Listing page, CancellationToken cancellation)
    {
        var pageTraces = new List<(StoredObject, TraceName)>();
        var pageWindows = new List<WindowObject>();
        var pageMarkers = new List<StoredObject>();
        var pageIgnored = new List<StoredObject>();
        var pageProblems = new List<string>();
        foreach (var obj in page.Objects)
        {
            if (obj.Name.EndsWith(".win", StringComparison.Ordinal))
            {
                if (WindowName.TryParse(obj.Name, out var window))
                {
                    pageWindows.Add(new WindowObject(obj, window!));
                }
                else
                {
                    pageProblems.Add($"window {obj.Url} cannot be fired: its name does not end with _<unix seconds>.win");
                }
            }
            else if (obj.Name.EndsWith(".wis", StringComparison.Ordinal))
            {
                pageMarkers.Add(obj);
            }
            else if (TraceName.TryParse(folder.RelativePrefix + obj.Name, out var trace))
            {
                pageTraces.Add((obj, trace!));
            }
            else
            {
                pageIgnored.Add(obj);
            }
        }

        if (pageTraces.Count > 0)
        {
            Traces.AddPage(folder, await active.Of(folder.Project).WaitAsync(cancellation), pageTraces);
        }

        lock (gate)
        {
            windows.AddRange(pageWindows);
            markers.AddRange(pageMarkers);
            pageProblems.ForEach(problems.Add);
            Ignored += pageIgnored.Count;
            foreach (var obj in pageIgnored.Where(o => !KnownBqTailExtensions.Any(e => o.Name.EndsWith(e, StringComparison.Ordinal))))
            {
                ignoredSamples.Add(obj.Url);
            }
        }
    }
}
