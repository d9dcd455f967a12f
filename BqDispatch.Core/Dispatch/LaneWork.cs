using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>Work as the lanes see it: which lane, since when it waits, and the order it is admitted in.</summary>
public static class LaneWork
{
    /// <summary>A trace waits from its job's end (its creation when BigQuery gave no end).</summary>
    public static DateTimeOffset WaitingSince(TraceWork trace) => trace.JobEnded ?? trace.Created;

    /// <summary>A window waits from its due time.</summary>
    public static DateTimeOffset WaitingSince(WindowWork window) => window.End + TaskFolderScanner.WindowVisibilityDelay;

    /// <summary>Traces oldest first (by creation), then in <see cref="AdmissionOrder"/>.</summary>
    public static IEnumerable<TraceWork> InAdmissionOrder(IEnumerable<TraceWork> traces, LaneBook lanes, DateTimeOffset now) =>
        AdmissionOrder.Sort(
            traces.OrderBy(t => t.Created).ThenBy(t => t.Url, StringComparer.Ordinal),
            t => (lanes[t.Lane], t.Created, WaitingSince(t)),
            now);

    /// <summary>Windows oldest first (by end), then in <see cref="AdmissionOrder"/>.</summary>
    public static IEnumerable<WindowWork> InAdmissionOrder(IEnumerable<WindowWork> windows, LaneBook lanes, DateTimeOffset now) =>
        AdmissionOrder.Sort(
            windows.OrderBy(w => w.End).ThenBy(w => w.Url, StringComparer.Ordinal),
            w => (lanes[w.Lane], w.End, WaitingSince(w)),
            now);
}
