using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Dispatch;

/// <summary>Sorts considered traces by what their job's state asks for: hand off, wait, or evict.</summary>
public sealed class TraceClassification
{
    private readonly Dictionary<string, Tally> tallies = new(StringComparer.Ordinal);

    private TraceClassification()
    {
    }

    /// <summary>DONE traces, oldest first.</summary>
    public List<TraceWork> Done { get; } = [];

    /// <summary>Traces BigQuery has not known for longer than the orphan TTL, oldest first.</summary>
    public List<TraceWork> Orphans { get; } = [];

    public static TraceClassification Classify(IReadOnlyList<TracedObject> traces, JobStates states, DateTimeOffset now, TimeSpan orphanTtl)
    {
        var result = new TraceClassification();
        foreach (var trace in traces.OrderBy(t => t.Object.Created).ThenBy(t => t.Object.Url, StringComparer.Ordinal))
        {
            var tally = result.TallyOf(trace.Project, trace.Region);
            switch (states.StateOf(trace.Project, trace.Name.JobId))
            {
                case JobStatus.Done:
                    result.Done.Add(Work(trace) with { JobEnded = states.EndOf(trace.Project, trace.Name.JobId) });
                    break;
                case JobStatus.Pending:
                case JobStatus.Running:
                    tally.Count++;
                    break;
                case JobStatus.NotFound:
                    tally.NoFound++;
                    if (now - trace.Object.Created > orphanTtl)
                    {
                        result.Orphans.Add(Work(trace));
                    }

                    break;
                default:
                    tally.Unresolved++;
                    break;
            }
        }

        return result;
    }

    /// <summary>One entry per project that has traces or was observed for its windows.</summary>
    public List<ProjectScan> Projects(JobStates states)
    {
        foreach (var project in states.Projects.Keys)
        {
            TallyOf(project, "");
        }

        return tallies
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t =>
            {
                var observation = states.Projects.GetValueOrDefault(t.Key);
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

    private Tally TallyOf(string project, string region)
    {
        if (!tallies.TryGetValue(project, out var tally))
        {
            tally = new Tally { Region = region };
            tallies[project] = tally;
        }
        else if (tally.Region.Length == 0)
        {
            tally.Region = region;
        }

        return tally;
    }

    private static TraceWork Work(TracedObject trace) => new(
        trace.Object.Url,
        trace.Name.RelativeName,
        trace.Project,
        trace.Region,
        trace.Name.JobId,
        trace.Name.Info.Action,
        JobKinds.FromAction(trace.Name.Info.Action),
        trace.Object.Created,
        trace.Object.Generation,
        Metageneration: trace.Object.Metageneration,
        Updated: trace.Object.Updated);

    private sealed class Tally
    {
        public string Region { get; set; } = "";

        public int Count { get; set; }

        public int NoFound { get; set; }

        public int Unresolved { get; set; }
    }
}
