using BqDispatch.Core.Configuration;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>Where each batch window stands against the clock (reference §4.9–4.10, with W7, W9 and W11 fixed).</summary>
public sealed record WindowSchedule(
    List<WindowWork> Due,
    int NotDue,
    int Scheduled,
    List<StalledPair> Stalled,
    List<ObjectVersion> OrphanMarkers,
    DateTimeOffset? NextDue = null)
{
    /// <summary>
    /// A window without a marker is due once its end plus the visibility delay has passed, however old it is
    /// (W11: a window held back by the throttle is never dropped). A window with a marker was fired; the pair
    /// is removed after the trigger delay. A marker whose window is gone is removed after the orphan-marker TTL.
    /// </summary>
    public static WindowSchedule Classify(
        IReadOnlyList<WindowObject> windows, IReadOnlyList<StoredObject> markers, DateTimeOffset now, DispatchConfig config)
    {
        var markerByUrl = markers.ToDictionary(m => m.Url, StringComparer.Ordinal);
        var windowUrls = windows.Select(w => w.Object.Url).ToHashSet(StringComparer.Ordinal);
        var schedule = new WindowSchedule([], 0, 0, [], []);
        var notDue = 0;
        var scheduled = 0;
        DateTimeOffset? nextDue = null;

        foreach (var window in windows.OrderBy(w => w.Name.End).ThenBy(w => w.Object.Url, StringComparer.Ordinal))
        {
            var end = window.Name.End;
            if (markerByUrl.TryGetValue(WindowName.MarkerName(window.Object.Url), out var marker))
            {
                if (now > end + config.TriggerDelay)
                {
                    schedule.Stalled.Add(new StalledPair(Version(window.Object), Version(marker)));
                }
                else
                {
                    scheduled++;
                }
            }
            else if (now > end + TaskFolderScanner.WindowVisibilityDelay)
            {
                schedule.Due.Add(new WindowWork(
                    window.Object.Url,
                    window.Object.Name,
                    end,
                    window.Object.Generation,
                    BatchingKey.WindowProject(window.Object.Name, config.ProjectID),
                    BatchingKey.For(window.Object.Url, config.ProjectID),
                    window.Object.Metageneration,
                    window.Object.Updated));
            }
            else
            {
                notDue++;
                nextDue ??= end + TaskFolderScanner.WindowVisibilityDelay;
            }
        }

        var markerTtl = TimeSpan.FromHours(config.OrphanMarkerTtlHours);
        schedule.OrphanMarkers.AddRange(markers
            .Where(m => !windowUrls.Contains(WindowName.WindowOfMarker(m.Url)) && now - m.Updated > markerTtl)
            .Select(Version));
        return schedule with { NotDue = notDue, Scheduled = scheduled, NextDue = nextDue };
    }

    private static ObjectVersion Version(StoredObject obj) => new(obj.Url, obj.Generation);
}
