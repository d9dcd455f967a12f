using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// What a cycle will do after asking each project's throttle: admitted and held traces and windows, and the held
/// work with the limit that holds it (<see cref="Queue"/>, in admission order).
/// </summary>
public sealed record CyclePlan(
    IReadOnlyList<TraceWork> Traces,
    IReadOnlyList<WindowWork> Windows,
    IReadOnlyList<TraceWork> HeldTraces,
    IReadOnlyList<WindowWork> HeldWindows,
    IReadOnlyList<QueuedWork> Queue);

/// <summary>Turns a scan into admission requests, one per project throttle, in admission order.</summary>
public static class CyclePlanner
{
    /// <param name="admit">Asks a project's throttle (the engine's entity call).</param>
    /// <param name="settled">Per project, keys of reservations whose follow-up BqTail has acted on.</param>
    public static async Task<CyclePlan> Admit(
        Func<string, AdmissionRequest, Task<Admission>> admit,
        RunSettings settings,
        DateTimeOffset now,
        TaskFolderScan scan,
        IReadOnlyList<TraceWork> traces,
        IReadOnlyDictionary<string, IReadOnlyList<string>> settled)
    {
        var observed = scan.Projects.ToDictionary(p => p.Project, p => p.Observed, StringComparer.Ordinal);
        var requests = Requests(settings, now, observed, traces, scan.DueWindows, settled);
        var projects = requests.Keys.ToList();

        // A project where nothing can be held or released is not asked: in Durable that saves an entity round trip.
        // With events on, each is asked: it keeps the cycle's observation for the events' admissions until the next one.
        var admissions = await Task.WhenAll(projects.Select(p => !requests[p].KeepObservation && ProjectThrottle.CannotHold(requests[p])
            ? Task.FromResult(ProjectThrottle.AdmitAll(requests[p]))
            : admit(p, requests[p])));

        var admitted = admissions.SelectMany(a => a.Admitted).ToHashSet(StringComparer.Ordinal);
        var holds = admissions.SelectMany(a => a.Held).ToDictionary(h => h.Key, h => h.By, StringComparer.Ordinal);
        return new CyclePlan(
            traces.Where(t => admitted.Contains(t.Url)).ToList(),
            scan.DueWindows.Where(w => admitted.Contains(w.Url)).ToList(),
            traces.Where(t => !admitted.Contains(t.Url)).ToList(),
            scan.DueWindows.Where(w => !admitted.Contains(w.Url)).ToList(),
            Queue(new LaneBook(settings.Lanes), now, traces, scan.DueWindows, holds));
    }

    /// <summary>
    /// One request per project with work, its traces and windows in admission order, or with settled reservations to
    /// release (so a throttle learns of them even in a cycle that brings it no work).
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
        var work = traces.Select(t => (t.Project, Candidate: new AdmissionCandidate(t.Url, t.Kind, t.Lane, t.Created, LaneWork.WaitingSince(t))))
            .Concat(windows.Select(w => (w.Project, Candidate: new AdmissionCandidate(w.Url, JobKind.Load, w.Lane, w.End, LaneWork.WaitingSince(w)))))
            .ToLookup(w => w.Project, w => w.Candidate, StringComparer.Ordinal);
        var lanes = new LaneBook(settings.Lanes);
        settled ??= new Dictionary<string, IReadOnlyList<string>>();
        var keep = settings.Events && !lanes.Unlimited(settings.Limits);

        return work.Select(g => g.Key).Union(settled.Keys, StringComparer.Ordinal)
            .Union(keep ? observed.Keys : [], StringComparer.Ordinal)
            .ToDictionary(
                project => project,
                project => new AdmissionRequest(
                    now,
                    observed.GetValueOrDefault(project) ?? ObservedJobs.None,
                    settings.Limits,
                    settings.ReservationTtl,
                    AdmissionOrder.Sort(work[project].OrderBy(c => c.Age).ThenBy(c => c.Key, StringComparer.Ordinal), lanes, now).ToList(),
                    settled.GetValueOrDefault(project) ?? [],
                    settings.Lanes,
                    keep),
                StringComparer.Ordinal);
    }

    private static List<QueuedWork> Queue(
        LaneBook lanes, DateTimeOffset now, IReadOnlyList<TraceWork> traces, IReadOnlyList<WindowWork> windows, Dictionary<string, HeldBy> holds)
    {
        var heldTraces = traces.Where(t => holds.ContainsKey(t.Url));
        var heldWindows = windows.Where(w => holds.ContainsKey(w.Url));
        return AdmissionOrder.Sort(
                heldTraces.Select(t => (Lane: lanes[t.Lane], Age: t.Created, Since: LaneWork.WaitingSince(t), t.Url, t.Project, t.Kind))
                    .Concat(heldWindows.Select(w => (Lane: lanes[w.Lane], Age: w.End, Since: LaneWork.WaitingSince(w), w.Url, w.Project, Kind: JobKind.Load)))
                    .OrderBy(q => q.Age)
                    .ThenBy(q => q.Url, StringComparer.Ordinal),
                q => (q.Lane, q.Age, q.Since),
                now)
            .Select(q => new QueuedWork(
                q.Url, q.Project, q.Lane.Name, q.Kind.ToString().ToLowerInvariant(), q.Lane.Priority, q.Since.UtcDateTime, holds[q.Url]))
            .ToList();
    }
}
