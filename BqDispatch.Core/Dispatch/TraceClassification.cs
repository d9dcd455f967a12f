using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// Sorts a scan's traces by what their job's state asks for: hand off, wait, or evict. Pages are taken in as they are
/// read, against their project's active listing: a trace whose job that listing shows only adds to a count; the others
/// are kept as <see cref="UnresolvedTrace"/> until the DONE listing and jobs.get have spoken (<see cref="Decide"/>). So
/// what is kept grows with the work (traces to hand off, evict or look up), not with the traces that wait.
/// Thread-safe: pages of several folders arrive at once.
/// </summary>
/// <param name="awaitedSteps">Event steps (<see cref="JobIdCodec.EventStep"/>) whose trace would settle a reservation.</param>
public sealed class TraceClassification(DateTimeOffset now, TimeSpan thinkTime, TimeSpan orphanTtl, IReadOnlySet<string>? awaitedSteps = null)
{
    private readonly Lock gate = new();
    private readonly HashSet<string> seenSteps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tally> tallies = new(StringComparer.Ordinal);
    private readonly List<UnresolvedTrace> unresolved = [];

    /// <summary>DONE traces, oldest first (after <see cref="Decide"/>).</summary>
    public List<TraceWork> Done { get; } = [];

    /// <summary>Traces BigQuery has not known for longer than the orphan TTL, oldest first (after <see cref="Decide"/>).</summary>
    public List<TraceWork> Orphans { get; } = [];

    /// <summary>The awaited event steps whose trace this scan saw: BqTail wrote the next step of those events.</summary>
    public IReadOnlySet<string> SeenSteps
    {
        get
        {
            lock (gate)
            {
                return seenSteps.ToHashSet(StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Takes in the traces of one page of <paramref name="folder"/>, given how its project's active listing ended.</summary>
    public void AddPage(TaskFolder folder, ActiveListing listing, IReadOnlyList<(StoredObject Object, TraceName Name)> traces)
    {
        var page = new Tally { Region = folder.Region };
        var kept = new List<UnresolvedTrace>();
        var orphans = new List<TraceWork>();
        var steps = new List<string>();
        foreach (var (obj, trace) in traces)
        {
            // Every trace the scan sees passes here once, young or old, whatever the state of its job.
            if (awaitedSteps is { Count: > 0 } && JobIdCodec.EventStep(trace.Info) is var step && awaitedSteps.Contains(step))
            {
                steps.Add(step);
            }

            // Too young: its job may not be submitted yet; the next cycle looks again.
            if (now - obj.Updated < thinkTime)
            {
                continue;
            }

            page.Considered++;
            if (listing.Jobs is { } active)
            {
                if (active.Contains(trace.JobId))
                {
                    page.Count++;
                }
                else
                {
                    kept.Add(new UnresolvedTrace(folder, obj, trace.JobId));
                }
            }
            else if (listing.ProjectUnknown)
            {
                page.NoFound++;
                if (now - obj.Created > orphanTtl)
                {
                    orphans.Add(new UnresolvedTrace(folder, obj, trace.JobId).Work());
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
            seenSteps.UnionWith(steps);
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
