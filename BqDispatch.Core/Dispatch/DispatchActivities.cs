using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>The activity bodies of a dispatcher, built once from its configuration, storage and BigQuery client.</summary>
public sealed class DispatchActivities(
    TaskFolderScanner scanner, HandOffWorker handOffs, WindowFirer windows, Cleaner cleaner, StatusPublisher publisher)
{
    public TaskFolderScanner Scanner { get; } = scanner;

    public HandOffWorker HandOffs { get; } = handOffs;

    public WindowFirer Windows { get; } = windows;

    public Cleaner Cleaner { get; } = cleaner;

    public StatusPublisher Publisher { get; } = publisher;

    public static DispatchActivities Create(DispatchConfig config, IObjectStore store, IJobsClient jobs)
    {
        var resolver = new JobStateResolver(jobs, ResolverSettingsOf(config));
        return new DispatchActivities(
            new TaskFolderScanner(config, store, resolver),
            new HandOffWorker(config, store),
            new WindowFirer(config, store),
            new Cleaner(config, store),
            new StatusPublisher(config, store));
    }

    public static ResolverSettings ResolverSettingsOf(DispatchConfig config) => new(
        config.ListAllUsers,
        TimeSpan.FromHours(config.JobListLookbackHours),
        config.MaxJobGetsPerCycle,
        config.JobGetParallelism,
        // Reservations wait at most their TTL for a job; older jobs cannot be the ones they wait for.
        TimeSpan.FromSeconds(config.ReservationTtlSec) + ProjectThrottle.ClockSkew,
        new LaneRules(config.Lanes));
}
