using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Groups;
using BqDispatch.Core.Routes;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch;

/// <summary>The activity bodies of a dispatcher, built once from its configuration, storage and BigQuery client.</summary>
public sealed class DispatchActivities(
    TaskFolderScanner scanner, HandOffWorker handOffs, WindowFirer windows, Cleaner cleaner, StatusPublisher publisher, RouteSweeper routes, GroupCompleter groups)
{
    public TaskFolderScanner Scanner { get; } = scanner;

    public HandOffWorker HandOffs { get; } = handOffs;

    public WindowFirer Windows { get; } = windows;

    public Cleaner Cleaner { get; } = cleaner;

    public StatusPublisher Publisher { get; } = publisher;

    /// <summary>The route sweep; it keeps its memory (what it listed) for the life of the process.</summary>
    public RouteSweeper Routes { get; } = routes;

    /// <summary>Completes the groups whose members have all finished (or whose deadline passed), exactly once each.</summary>
    public GroupCompleter Groups { get; } = groups;

    /// <param name="jobs">The BigQuery client: job snapshots for the scan, whole job resources for routes.</param>
    public static DispatchActivities Create<TJobs>(DispatchConfig config, IObjectStore store, TJobs jobs)
        where TJobs : IJobsClient, IJobResources
    {
        var resolver = new JobStateResolver(jobs, ResolverSettingsOf(config));
        return new DispatchActivities(
            new TaskFolderScanner(config, store, resolver),
            new HandOffWorker(config, store),
            new WindowFirer(config, store),
            new Cleaner(config, store),
            new StatusPublisher(config, store),
            RoutesOf(config, store, jobs),
            GroupCompleter.Of(config, store));
    }

    public static RouteSweeper RoutesOf<TJobs>(DispatchConfig config, IObjectStore store, TJobs jobs)
        where TJobs : IJobsClient, IJobResources
    {
        // Inline rules were checked when the configuration was read; their RuleURL is the configuration's.
        var inline = config.Rules is { } json
            ? RuleParser.Parse(json, config.URL.Length > 0 ? config.URL : RuleParser.InlineSource, RuleParser.InlineSource)
            : new ParsedRules([], []);
        var rules = new RouteRules(store, config.RulesURL, inline, TimeSpan.FromMilliseconds(config.CheckInMs));
        var writer = new RouteWriter(store, config.JournalURL, config.TriggerBaseUrl, config.PostJobPrefix);
        return new RouteSweeper(RouteSettings.From(config), rules, writer, store, config.JournalURL, jobs, jobs);
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
