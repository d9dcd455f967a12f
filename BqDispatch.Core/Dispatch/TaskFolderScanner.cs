using BqDispatch.Core.Configuration;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>The scan activity: list the task folder, resolve job states, and classify everything against the run's clock.</summary>
public sealed class TaskFolderScanner(DispatchConfig config, IObjectStore store, JobStateResolver resolver)
{
    private readonly LaneRules lanes = new(config.Lanes);

    /// <summary>bqtail's StorageListVisibilityDelayMs: a window is due this long after its end.</summary>
    public static readonly TimeSpan WindowVisibilityDelay = TimeSpan.FromSeconds(7);

    private static readonly string[] KnownBqTailExtensions = [".grp", ".loc"];

    public async Task<TaskFolderScan> Scan(ScanRequest request, CancellationToken cancellation)
    {
        Listing root;
        try
        {
            root = await store.List(config.AsyncTaskURL, cancellation);
        }
        catch (StorageException e)
        {
            return new TaskFolderScan { RootError = $"listing {config.AsyncTaskURL} failed: {e.Message}" };
        }

        // The active jobs of the projects the root names, and the trigger objects awaited by reservations, are listed
        // while the project folders are listed.
        var active = resolver.StartActiveListings(TaskFolderListing.ProjectsNamed(root, config.AsyncTaskURL, config.ProjectID), cancellation);
        var awaited = request.Awaited ?? [];
        var triggers = FollowUpEvidence.PresentTriggers(store, awaited, cancellation);
        var contents = await TaskFolderListing.Read(store, config.AsyncTaskURL, config.ProjectID, root, cancellation);

        var now = request.Now;
        var thinkTime = TimeSpan.FromMilliseconds(config.ThinkTimeMs);
        var considered = contents.Traces.Where(t => now - t.Object.Updated >= thinkTime).ToList();
        var windows = WindowSchedule.Classify(contents.Windows, contents.Markers, now, config);

        var loadLimited = config.MaxConcurrentLoad > 0 || config.Lanes.Any(l => l.Limits.MaxConcurrentLoad > 0);
        var observeOnly = loadLimited ? windows.Due.Select(w => w.Project).Distinct().ToList() : [];
        var lookups = considered.Select(t => new JobLookup(t.Project, t.Region, t.Name.JobId, t.Object.Created)).ToList();
        var states = await resolver.Resolve(lookups, observeOnly, now, cancellation, active);

        var traces = TraceClassification.Classify(considered, states, now, TimeSpan.FromHours(config.OrphanTraceTtlHours));
        var (handOffs, unstorable) = Storable(traces.Done);
        var chunk = request.ChunkSize;

        // A cycle's chunk is cut in the order the throttle admits, so a backlog of low-priority work never keeps
        // higher-priority work out of the chunk.
        var done = LaneWork.InAdmissionOrder(handOffs.Select(t => t with { Lane = lanes.Assign(LaneSubjects.Of(t)) }), lanes.Book, now);
        var dueWindows = LaneWork.InAdmissionOrder(windows.Due.Select(w => w with { Lane = lanes.Assign(LaneSubjects.Of(w)) }), lanes.Book, now);
        return new TaskFolderScan
        {
            Projects = traces.Projects(states),
            Done = done.Take(chunk).ToList(),
            DoneTotal = handOffs.Count,
            Orphans = unstorable.Concat(traces.Orphans).Take(chunk).ToList(),
            DueWindows = dueWindows.Take(chunk).ToList(),
            DueWindowsTotal = windows.Due.Count,
            WindowsNotDue = windows.NotDue,
            WindowsScheduled = windows.Scheduled,
            StalledPairs = windows.Stalled.Take(chunk).ToList(),
            OrphanMarkers = windows.OrphanMarkers.Take(chunk).ToList(),
            Ignored = contents.Ignored.Count,
            IgnoredSamples = contents.Ignored
                .Where(o => !KnownBqTailExtensions.Any(e => o.Name.EndsWith(e, StringComparison.Ordinal)))
                .Select(o => o.Url)
                .Take(10)
                .ToList(),
            Settled = FollowUpEvidence.Settled(awaited, await triggers, contents.Traces.Select(t => t.Name)),
            Errors = Bounded([.. contents.Errors, .. states.Errors, .. unstorable.Take(chunk).Select(t => $"trace {t.Url} cannot be handed off: {t.EvictionReason}; it is moved to {config.ErrorURL}orphans/ with a note")]),
            ListCalls = states.ListCalls,
            ListPages = states.ListPages,
            GetCalls = states.GetCalls,
            ListTime = states.ListTime,
        };
    }

    /// <summary>
    /// Splits DONE traces into those whose hand-off the trigger store can hold and those it never can (a name too long
    /// for a file:// trigger folder, say): those are moved to ErrorURL like orphans, with the reason, instead of failing
    /// every cycle.
    /// </summary>
    private (List<TraceWork> HandOffs, List<TraceWork> Unstorable) Storable(IReadOnlyList<TraceWork> done)
    {
        var handOffs = new List<TraceWork>();
        var unstorable = new List<TraceWork>();
        foreach (var trace in done)
        {
            var destination = HandOffWorker.DestinationOf(config, trace);
            if (store.NameProblem(destination) is { } problem)
            {
                unstorable.Add(trace with { EvictionReason = $"its destination {destination} cannot be stored: {problem}" });
            }
            else
            {
                handOffs.Add(trace);
            }
        }

        return (handOffs, unstorable);
    }

    /// <summary>A folder full of malformed names must not make the scan's output grow without bound.</summary>
    public const int MaxErrors = 20;

    private static List<string> Bounded(List<string> errors) =>
        errors.Count <= MaxErrors
            ? errors
            : [.. errors.Take(MaxErrors - 1), $"… and {errors.Count - MaxErrors + 1} more problems of the same kinds"];
}
