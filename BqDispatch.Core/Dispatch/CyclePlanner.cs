using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>What a cycle will do after asking each project's lane: admitted and held traces and windows.</summary>
public sealed record CyclePlan(
    IReadOnlyList<TraceWork> Traces,
    IReadOnlyList<WindowWork> Windows,
    IReadOnlyList<TraceWork> HeldTraces,
    IReadOnlyList<WindowWork> HeldWindows);

/// <summary>Turns a scan into admission requests, one per project lane, oldest work first.</summary>
public static class CyclePlanner
{
    /// <param name="settled">Per project, keys of reservations whose follow-up BqTail has acted on.</param>
    public static async Task<CyclePlan> Admit(
        IDispatchEngine engine,
        RunSettings settings,
        DateTimeOffset now,
        TaskFolderScan scan,
        IReadOnlyList<TraceWork> traces,
        IReadOnlyDictionary<string, IReadOnlyList<string>> settled)
    {
        var observed = scan.Projects.ToDictionary(p => p.Project, p => p.Observed, StringComparer.Ordinal);
        var requests = Requests(settings, now, observed, traces, scan.DueWindows, settled);
        var projects = requests.Keys.ToList();
        var admissions = await Task.WhenAll(projects.Select(p => engine.Admit(p, requests[p])));

        var admitted = admissions.SelectMany(a => a.Admitted).ToHashSet(StringComparer.Ordinal);
        return new CyclePlan(
            traces.Where(t => admitted.Contains(t.Url)).ToList(),
            scan.DueWindows.Where(w => admitted.Contains(w.Url)).ToList(),
            traces.Where(t => !admitted.Contains(t.Url)).ToList(),
            scan.DueWindows.Where(w => !admitted.Contains(w.Url)).ToList());
    }

    /// <summary>
    /// One request per project with work, its traces and windows merged oldest first, or with settled reservations to
    /// release (so a lane learns of them even in a cycle that brings it no work).
    /// </summary>
    public static Dictionary<string, AdmissionRequest> Requests(
        RunSettings settings,
        DateTimeOffset now,
        IReadOnlyDictionary<string, ObservedJobs> observed,
        IReadOnlyList<TraceWork> traces,
        IReadOnlyList<WindowWork> windows,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? settled = null)
    {
        // Every due window will start a load job: it competes for the load limit like a load trace.
        var work = traces.Select(t => (t.Project, Age: t.Created, Candidate: new AdmissionCandidate(t.Url, t.Kind)))
            .Concat(windows.Select(w => (w.Project, Age: w.End, Candidate: new AdmissionCandidate(w.Url, JobKind.Load))))
            .ToLookup(w => w.Project, StringComparer.Ordinal);
        settled ??= new Dictionary<string, IReadOnlyList<string>>();

        return work.Select(g => g.Key).Union(settled.Keys, StringComparer.Ordinal)
            .ToDictionary(
                project => project,
                project => new AdmissionRequest(
                    now,
                    observed.GetValueOrDefault(project) ?? ObservedJobs.None,
                    settings.Limits,
                    settings.ReservationTtl,
                    work[project].OrderBy(w => w.Age).ThenBy(w => w.Candidate.Key, StringComparer.Ordinal).Select(w => w.Candidate).ToList(),
                    settled.GetValueOrDefault(project) ?? []),
                StringComparer.Ordinal);
    }
}
