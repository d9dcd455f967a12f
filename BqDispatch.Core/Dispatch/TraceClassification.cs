using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// Sorts a scan's traces by what their job's state asks for: hand off, wait, or evict. Pages are taken in as they are
/// read, against their project's active listing: a trace whose job that listing shows only adds to a count; the others
/// are kept as <see cref="TraceRecord"/>s until the DONE listing and jobs.get have spoken (<see cref="Decide"/>). A page
/// that arrives before its project's listing has ended is kept as records too (up to a bound, beyond which its listing
/// waits), so listing folders and listing jobs overlap. So what is kept grows with the work (traces to hand off, evict
/// or look up) and that bound, not with the traces that wait. Thread-safe: pages of several folders arrive at once.
/// </summary>
/// <param name="maxDeferred">Most traces kept while their project's active listing runs.</param>
public sealed class TraceClassification(DateTimeOffset now, TimeSpan thinkTime, TimeSpan orphanTtl, int maxDeferred = TraceClassification.DefaultMaxDeferred)
{
    /// <summary>About 75 MB of records: the folder listings of a few hundred thousand traces overlap the jobs listings.</summary>
    public const int DefaultMaxDeferred = 250_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, Tally> tallies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(TaskFolder Folder, List<TraceRecord> Traces)>> deferred = new(StringComparer.Ordinal);
    private readonly List<TraceRecord> unresolved = [];
    private int deferredCount;

    /// <summary>DONE traces, oldest first (after <see cref="Decide"/>).</summary>
    public List<TraceWork> Done { get; } = [];

    /// <summary>Traces BigQuery has not known for longer than the orphan TTL, oldest first (after <see cref="Decide"/>).</summary>
    public List<TraceWork> Orphans { get; } = [];

    /// <summary>
    /// The record of a trace found in <paramref name="folder"/>, or null when it is too young to consider (its job may not
    /// be submitted yet; the next cycle looks again). Every trace the scan sees passes here once.
    /// </summary>
    public TraceRecord? Consider(TaskFolder folder, StoredObject obj, TraceName trace) =>
        now - obj.Updated < thinkTime ? null : new TraceRecord(folder, obj.Url, trace.JobId, obj.Created, obj.Generation);

    /// <summary>Classifies the traces of one page of <paramref name="folder"/> against its project's ended listing.</summary>
    public void AddPage(TaskFolder folder, ActiveListing listing, IReadOnlyList<TraceRecord> traces)
    {
        Settle(folder.Project, listing);
        Classify(folder, listing, traces);
    }

    /// <summary>Keeps the traces of a page whose project's listing has not ended; false when that would keep too many.</summary>
    public bool TryDefer(TaskFolder folder, List<TraceRecord> traces)
    {
        lock (gate)
        {
            if (deferredCount + traces.Count > maxDeferred)
            {
                return false;
            }

            deferredCount += traces.Count;
            if (!deferred.TryGetValue(folder.Project, out var pages))
            {
                pages = [];
                deferred[folder.Project] = pages;
            }

            pages.Add((folder, traces));
            return true;
        }
    }

    /// <summary>Classifies every page still kept for later, now that all listings have ended.</summary>
    public void Settle(IReadOnlyDictionary<string, ActiveListing> listings)
    {
        foreach (var (project, listing) in listings)
        {
            Settle(project, listing);
        }
    }

    /// <summary>What the DONE listing and jobs.get are asked: the traces the active listings did not show.</summary>
    public IReadOnlyList<JobLookup> Lookups()
    {
        lock (gate)
        {
            return unresolved.ConvertAll(t => t.Lookup());
        }
    }

    /// <summary>Classifies the traces kept for later by what <paramref name="states"/> says, and orders the work oldest first.</summary>
    public void Decide(JobStates states)
    {
        lock (gate)
        {
            foreach (var trace in unresolved)
            {
                var tally = TallyOf(trace.Folder.Project);
                switch (states.StateOf(trace.Folder.Project, trace.JobId))
                {
                    case JobStatus.Done:
                        Done.Add(trace.Work(states.EndOf(trace.Folder.Project, trace.JobId)));
                        break;
                    case JobStatus.Pending:
                    case JobStatus.Running:
                        tally.Count++;
                        break;
                    case JobStatus.NotFound:
                        tally.NoFound++;
                        if (now - trace.Created > orphanTtl)
                        {
                            Orphans.Add(trace.Work());
                        }

                        break;
                    default:
                        tally.Unresolved++;
                        break;
                }
            }

            unresolved.Clear();
            Done.Sort(OldestFirst);
            Orphans.Sort(OldestFirst);
        }
    }

    /// <summary>One entry per project that has considered traces or whose active jobs were listed.</summary>
    public List<ProjectScan> Projects(IReadOnlyDictionary<string, ActiveListing> listings)
    {
        lock (gate)
        {
            foreach (var project in listings.Keys)
            {
                TallyOf(project);
            }

            return tallies
                .OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t =>
                {
                    var observation = listings.GetValueOrDefault(t.Key)?.Jobs?.Observation();
                    return new ProjectScan(
                        t.Key,
                        t.Value.Region,
                        t.Value.Count,
                        observation?.Running ?? KindCounts.Zero,
                        observation?.Pending ?? KindCounts.Zero,
                        observation?.Observed ?? Throttling.ObservedJobs.None,
                        t.Value.NoFound,
                        t.Value.Unresolved);
                })
                .ToList();
        }
    }

    private void Settle(string project, ActiveListing listing)
    {
        List<(TaskFolder Folder, List<TraceRecord> Traces)>? pages;
        lock (gate)
        {
            if (!deferred.Remove(project, out pages))
            {
                return;
            }

            deferredCount -= pages.Sum(p => p.Traces.Count);
        }

        foreach (var (folder, traces) in pages)
        {
            Classify(folder, listing, traces);
        }
    }

    // A trace whose job the listing shows waits and is only counted; one it does not show is kept for the DONE listing.
    private void Classify(TaskFolder folder, ActiveListing listing, IReadOnlyList<TraceRecord> traces)
    {
        var page = new Tally { Region = folder.Region, Considered = traces.Count };
        var kept = new List<TraceRecord>();
        var orphans = new List<TraceWork>();
        foreach (var trace in traces)
        {
            if (listing.Jobs is { } active)
            {
                if (active.Contains(trace.JobId))
                {
                    page.Count++;
                }
                else
                {
                    kept.Add(trace);
                }
            }
            else if (listing.ProjectUnknown)
            {
                page.NoFound++;
                if (now - trace.Created > orphanTtl)
                {
                    orphans.Add(trace.Work());
                }
            }
            else
            {
                page.Unresolved++;
            }
        }

        lock (gate)
        {
            if (page.Considered > 0)
            {
                TallyOf(folder.Project).Add(page);
            }

            unresolved.AddRange(kept);
            Orphans.AddRange(orphans);
        }
    }

    private static int OldestFirst(TraceWork a, TraceWork b)
    {
        var byAge = a.Created.CompareTo(b.Created);
        return byAge != 0 ? byAge : string.CompareOrdinal(a.Url, b.Url);
    }

    // Callers hold gate.
    private Tally TallyOf(string project)
    {
        if (!tallies.TryGetValue(project, out var tally))
        {
            tally = new Tally();
            tallies[project] = tally;
        }

        return tally;
    }

    private sealed class Tally
    {
        /// <summary>The project's region: of its folders with considered traces, the first in name order ("" at the root).</summary>
        public string Region { get; set; } = "";

        public int Considered { get; set; }

        public int Count { get; set; }

        public int NoFound { get; set; }

        public int Unresolved { get; set; }

        public void Add(Tally page)
        {
            if (page.Region.Length > 0 && (Region.Length == 0 || string.CompareOrdinal(page.Region, Region) < 0))
            {
                Region = page.Region;
            }

            Considered += page.Considered;
            Count += page.Count;
            NoFound += page.NoFound;
            Unresolved += page.Unresolved;
        }
    }
}
