using BqDispatch.Core.Configuration;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The scan activity: lists the task folder, resolves job states, and classifies everything against the run's clock.
/// Pages are classified as they are read, each project's against its active jobs, which are listed while its folders
/// are: memory follows the work found (traces to hand off, evict or look up; windows), not the traces that wait.
/// One scanner serves all cycles of a dispatcher: it remembers where to split big folders into parallel ranges.
/// </summary>
/// <param name="ranges">Where big folders are split; one for the scanner's life by default.</param>
public sealed class TaskFolderScanner(DispatchConfig config, IObjectStore store, JobStateResolver resolver, RangedListing? ranges = null)
{
    private readonly GroupBook book = new(store, config.AsyncTaskURL);

    private readonly LaneRules lanes = new(config.Lanes);

    /// <summary>bqtail's StorageListVisibilityDelayMs: a window is due this long after its end.</summary>
    public static readonly TimeSpan WindowVisibilityDelay = TimeSpan.FromSeconds(7);

    /// <summary>A folder full of malformed names must not make the scan's output grow without bound.</summary>
    public const int MaxErrors = 20;

    private readonly RangedListing ranges = ranges ?? new();

    public async Task<TaskFolderScan> Scan(ScanRequest request, CancellationToken cancellation)
    {
        var now = request.Now;
        var active = new ActiveListings(resolver, now, cancellation);

        // The trigger objects awaited by reservations are listed while the task folder is.
        var awaited = request.Awaited ?? [];
        var triggers = FollowUpEvidence.PresentTriggers(store, awaited, cancellation);
        var findings = new ScanFindings(
            active,
            new TraceClassification(
                now, TimeSpan.FromMilliseconds(config.ThinkTimeMs), TimeSpan.FromHours(config.OrphanTraceTtlHours), FollowUpEvidence.AwaitedSteps(awaited)));
        IReadOnlyList<string> folderProblems;
        Task<(IReadOnlyList<GroupDefinition>, IReadOnlyList<string>, int)>? groupFiles = null;
        try
        {
            // A project's active jobs are listed from the moment one of its folders is found; the groups are read from the
            // moment the root shows their folder, while the task folders are listed.
            folderProblems = await new TaskFolderListing(store, ranges, config.AsyncTaskURL, config.ProjectID)
                .Read(findings.Take, folder => active.Of(folder.Project), cancellation, () => groupFiles ??= ReadGroups(active, cancellation));
        }
        catch (StorageException e)
        {
            if (groupFiles is not null)
            {
                await groupFiles;
            }

            await active.Ended();
            await triggers;

            return new TaskFolderScan { RootError = $"listing {config.AsyncTaskURL} failed: {e.Message}" };
        }

        var windows = WindowSchedule.Classify(findings.Windows, findings.Markers, now, config);
        if (config.MaxConcurrentLoad > 0 || config.Lanes.Any(l => l.Limits.MaxConcurrentLoad > 0))
        {
            // Due windows take load slots: their projects' counts are needed even without traces.
            foreach (var project in windows.Due.Select(w => w.Project).Distinct())
            {
                _ = active.Of(project);
            }
        }

        // Group members are learned from the same sources as traces: their projects' active listings, then the DONE
        // listings and lookups of the traces, with the members' lookups merged in.
        if (groupFiles is null)
        {
            await book.Forget(cancellation);
        }

        var (groups, groupProblems, malformed) = groupFiles is null ? ([], [], 0) : await groupFiles;
        var listings = await active.Ended();
        ActiveJobs? ActiveOf(string project) => listings.TryGetValue(project, out var l) ? l.Jobs : null;
        var traces = findings.Traces;
        var lookups = traces.Lookups().Concat(book.Lookups(groups, ActiveOf))
            .GroupBy(l => (l.Project, l.JobId))
            .Select(same => same.MinBy(l => l.TraceCreated)!)
            .ToList();
        var states = await resolver.Resolve(lookups, now, cancellation);
        traces.Decide(states);
        var groupScan = GroupDecision.Decide(groups, m => book.StateOf(m, states, ActiveOf), now, request.ChunkSize, malformed);
        var (handOffs, unstorable) = Storable(traces.Done);

        var chunk = request.ChunkSize;

        // A cycle's chunk is cut in the order the throttle admits, so a backlog of low-priority work never keeps
        // higher-priority work out of the chunk.
        var done = LaneWork.InAdmissionOrder(handOffs.Select(t => t with { Lane = lanes.Assign(LaneSubjects.Of(t)) }), lanes.Book, now);
        var dueWindows = LaneWork.InAdmissionOrder(windows.Due.Select(w => w with { Lane = lanes.Assign(LaneSubjects.Of(w)) }), lanes.Book, now);
        var succeeded = listings.Values.Where(l => l.Jobs is not null).ToList();
        var listingErrors = listings.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Value.Error).OfType<string>().ToList();
        return new TaskFolderScan
        {
            Projects = traces.Projects(listings),
            Done = done.Take(chunk).ToList(),
            DoneTotal = handOffs.Count,
            Orphans = unstorable.Concat(traces.Orphans).Take(chunk).ToList(),
            DueWindows = dueWindows.Take(chunk).ToList(),
            DueWindowsTotal = windows.Due.Count,
            WindowsNotDue = windows.NotDue,
            NextWindowDue = windows.NextDue,
            WindowsScheduled = windows.Scheduled,
            StalledPairs = windows.Stalled.Take(chunk).ToList(),
            OrphanMarkers = windows.OrphanMarkers.Take(chunk).ToList(),
            Ignored = findings.Ignored,
            IgnoredSamples = findings.IgnoredSamples,
            Settled = FollowUpEvidence.Settled(awaited, await triggers, traces.SeenSteps),
            Groups = groupScan,
            Errors = Bounded(
                [.. folderProblems.Order(StringComparer.Ordinal), .. findings.Problems.Items, .. listingErrors, .. states.Errors, .. Unstorable(unstorable, chunk), .. groupProblems],
                folderProblems.Count + findings.Problems.Total + listingErrors.Count + states.Errors.Count + Math.Min(unstorable.Count, chunk) + groupProblems.Count),
            ListCalls = succeeded.Count + states.ListCalls,
            ListPages = succeeded.Sum(l => l.Jobs!.Pages) + states.ListPages,
            GetCalls = states.GetCalls,

            // The longest active listing (they run side by side, with the folder listings) and the DONE listings after.
            ListTime = listings.Values.Select(l => l.Elapsed).DefaultIfEmpty().Max() + states.ListTime,
        };
    }

    /// <summary>Reads the group files and starts the active listings of the projects whose members are not known DONE.</summary>
    private async Task<(IReadOnlyList<GroupDefinition>, IReadOnlyList<string>, int)> ReadGroups(ActiveListings active, CancellationToken cancellation)
    {
        try
        {
            var read = await book.Read(cancellation);
            foreach (var project in read.Groups.SelectMany(g => g.Members).Where(m => !book.Finished(m)).Select(m => m.Project).Distinct())
            {
                _ = active.Of(project);
            }

            return read;
        }
        catch (StorageException e)
        {
            return ([], [$"listing {book.FolderUrl} failed, its groups are looked at again next cycle: {e.Message}"], 0);
        }
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

    private IEnumerable<string> Unstorable(List<TraceWork> unstorable, int chunk) =>
        unstorable.Take(chunk).Select(t => $"trace {t.Url} cannot be handed off: {t.EvictionReason}; it is moved to {config.ErrorURL}orphans/ with a note");

    private static List<string> Bounded(List<string> errors, int total) =>
        total <= MaxErrors
            ? errors
            : [.. errors.Take(MaxErrors - 1), $"… and {total - MaxErrors + 1} more problems of the same kinds"];
}
