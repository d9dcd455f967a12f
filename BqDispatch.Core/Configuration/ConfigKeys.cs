namespace BqDispatch.Core.Configuration;

/// <summary>Every key a dispatcher config may contain, spelled as documented (matching ignores case).</summary>
internal static class ConfigKeys
{
    public const string MaxConcurrentLoad = "MaxConcurrentLoad";

    /// <summary>The name MaxConcurrentLoad had before 2020-01-31, still used by bqtail's own samples (W15).</summary>
    public const string MaxConcurrentJobs = "MaxConcurrentJobs";

    public const string SlackCredentials = "SlackCredentials";

    public const string Lanes = "Lanes";

    public const string RouteProjects = "RouteProjects";

    public static readonly IReadOnlyList<string> All =
    [
        // bqtail base.Config
        "URL", "RunOnce", "ProjectID", "Region", "AsyncTaskURL", "SyncTaskURL", "ActiveLoadProcessURL",
        "DoneLoadProcessURL", "JournalURL", "TriggerBucket", "LoadProcessPrefix", "PostJobPrefix", "BatchPrefix",
        "BqJobInfoPath", "BqBatchInfoPath", "ErrorURL", "CorruptedFileURL", "InvalidSchemaURL", SlackCredentials,
        "MaxRetries", "MaxTriggerDelayMs",

        // bqtail dispatch.Config
        "TimeToLiveInMin", "MaxConcurrentSQL", MaxConcurrentLoad, MaxConcurrentJobs, "RulesURL", "CheckInMs", "Rules",

        // this port
        "ThinkTimeMs", "CyclePauseMs", "MaxHandOffsPerCycle", "OrphanTraceTtlHours", "ReservationTtlSec",
        "ListAllUsers", "JobListLookbackHours", "MaxJobGetsPerCycle", "JobGetParallelism", "HandOffParallelism",
        "OrphanMarkerTtlHours", Lanes, RouteProjects, "RouteLookbackMin",

        // completion events
        "EventSubscription", "EventAudience", "EventServiceAccount", "EventKeysURL", "EventSweepPauseMs",
    ];

    public static readonly IReadOnlyList<string> SlackCredentialsKeys = ["URL", "Parameter", "Key"];

    public static readonly IReadOnlyList<string> LaneKeys = ["Name", "When", "Priority", "MaxConcurrentSQL", MaxConcurrentLoad, "MaxWaitSec"];

    public static readonly IReadOnlyList<string> LaneWhenKeys = ["Dest", "Action", "Project", "Region"];
}
