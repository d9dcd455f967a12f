using BqDispatch.Core.Naming;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Configuration;

/// <summary>
/// The dispatcher configuration: bqtail's dispatcher config (same keys, same defaults) plus the keys this port
/// adds. Read it with <see cref="ConfigLoader"/>; constructing it directly gives the documented defaults.
/// </summary>
public sealed record DispatchConfig
{
    // bqtail base.Config

    /// <summary>Where this configuration was read from. Default: the CONFIG URL or file, else "".</summary>
    public string URL { get; init; } = "";

    /// <summary>bqtail: rebuild the service on every invocation. Accepted, no effect here. Default false.</summary>
    public bool RunOnce { get; init; }

    /// <summary>Project of legacy root-level traces and the fallback batching key. Default: env GCLOUD_PROJECT, GOOGLE_CLOUD_PROJECT, GCP_PROJECT; required.</summary>
    public string ProjectID { get; init; } = "";

    /// <summary>Default region (bqtail uses it for Slack KMS keys only). Default: env FUNCTION_REGION, GOOGLE_CLOUD_REGION, else us-central1.</summary>
    public string Region { get; init; } = "us-central1";

    /// <summary>Folder tail writes trace files and batch windows into; the dispatcher lists it. Required, ends with '/'.</summary>
    public string AsyncTaskURL { get; init; } = "";

    /// <summary>Tail's folder for sync windows. Accepted, unused by the dispatcher. Default "".</summary>
    public string SyncTaskURL { get; init; } = "";

    /// <summary>Tail's running load-process journal. Unused by the dispatcher. Default JournalURL + "Running".</summary>
    public string ActiveLoadProcessURL { get; init; } = "";

    /// <summary>Tail's finished load-process journal. Unused by the dispatcher. Default JournalURL + "Done".</summary>
    public string DoneLoadProcessURL { get; init; } = "";

    /// <summary>Folder for performance.json (read by balancers). Required, ends with '/'.</summary>
    public string JournalURL { get; init; } = "";

    /// <summary>Tail's trigger bucket: a bucket name (meaning gs://name) or a gs://, file:// or mem:// URL. Default ProjectID with '-' → '_' + "_bqtail".</summary>
    public string TriggerBucket { get; init; } = "";

    /// <summary>Tail's load-replay prefix. Unused by the dispatcher. Default /_load_/.</summary>
    public string LoadProcessPrefix { get; init; } = "/_load_/";

    /// <summary>Prefix under the trigger bucket that finished traces are handed off to. Default /_bqjob_/.</summary>
    public string PostJobPrefix { get; init; } = "/_bqjob_/";

    /// <summary>Prefix under the trigger bucket that due windows are copied to. Default /_batch_/.</summary>
    public string BatchPrefix { get; init; } = "/_batch_/";

    /// <summary>Tail's job-info log path. Unused by the dispatcher. Default "".</summary>
    public string BqJobInfoPath { get; init; } = "";

    /// <summary>Tail's batch-info log path. Unused by the dispatcher. Default "".</summary>
    public string BqBatchInfoPath { get; init; } = "";

    /// <summary>Folder for errors, and for orphan traces the port evicts. Required, ends with '/'.</summary>
    public string ErrorURL { get; init; } = "";

    /// <summary>Tail's folder for corrupted data files. Unused by the dispatcher. Default "".</summary>
    public string CorruptedFileURL { get; init; } = "";

    /// <summary>Tail's folder for files with an invalid schema. Unused by the dispatcher. Default JournalURL + "invalid_schema".</summary>
    public string InvalidSchemaURL { get; init; } = "";

    /// <summary>bqtail's Slack credentials. Accepted, unused. Default none.</summary>
    public SlackCredentials? SlackCredentials { get; init; }

    /// <summary>Tail's retry count. Unused by the dispatcher. Default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>Grace after a window's end before a fired window and its marker are deleted; 0 means 120000. Default 0.</summary>
    public int MaxTriggerDelayMs { get; init; }

    // bqtail dispatch.Config

    /// <summary>Length of one run in minutes, less 5 s; 0 means 1. Default 0.</summary>
    public int TimeToLiveInMin { get; init; }

    /// <summary>Most query jobs running or pending per project before finished query traces are held back; 0 = no limit. Default 0.</summary>
    public int MaxConcurrentSQL { get; init; }

    /// <summary>Most load jobs running or pending per project before load traces and due windows are held back; 0 = no limit. Old name MaxConcurrentJobs is accepted. Default 0.</summary>
    public int MaxConcurrentLoad { get; init; }

    /// <summary>Folder of route rules: every .json file in it holds one rule or an array of rules. Default "" (none).</summary>
    public string RulesURL { get; init; } = "";

    /// <summary>How often RulesURL is read again, in ms; 0 reads it every cycle. Default 60000.</summary>
    public int CheckInMs { get; init; } = 60_000;

    /// <summary>Inline route rules (a JSON array, checked when the configuration is read), tried before RulesURL's. Default none.</summary>
    public string? Rules { get; init; }

    // this port

    /// <summary>Minimum age of a trace (since its last update) before it is considered. Default 1500.</summary>
    public int ThinkTimeMs { get; init; } = 1500;

    /// <summary>Pause between the cycles of a run. Default 3000.</summary>
    public int CyclePauseMs { get; init; } = 3000;

    /// <summary>Most hand-offs per cycle, oldest first; a larger backlog drains over later cycles. Default 1000.</summary>
    public int MaxHandOffsPerCycle { get; init; } = 1000;

    /// <summary>Hours a trace may wait for a job BigQuery does not know before it is moved to ErrorURL. Default 24.</summary>
    public int OrphanTraceTtlHours { get; init; } = 24;

    /// <summary>
    /// Seconds a throttle admission holds its slot without evidence that BqTail acted on it (a new job in the project,
    /// its trigger object consumed, the next step's trace written): about what BqTail needs to start a follow-up job.
    /// 1 to 600. Default 30.
    /// </summary>
    public int ReservationTtlSec { get; init; } = 30;

    /// <summary>List every user's jobs (needs bigquery.jobs.listAll), else only the dispatcher's own. Default true.</summary>
    public bool ListAllUsers { get; init; } = true;

    /// <summary>How far back jobs.list looks for the jobs of waiting traces. Default 6.</summary>
    public int JobListLookbackHours { get; init; } = 6;

    /// <summary>Most jobs.get calls per cycle for traces jobs.list did not cover. Default 1000.</summary>
    public int MaxJobGetsPerCycle { get; init; } = 1000;

    /// <summary>jobs.get calls in flight at once. Default 8.</summary>
    public int JobGetParallelism { get; init; } = 8;

    /// <summary>Hand-offs (copy then delete) in flight at once. Default 16.</summary>
    public int HandOffParallelism { get; init; } = 16;

    /// <summary>Hours after which a .wis marker whose window is gone is deleted. Default 24.</summary>
    public int OrphanMarkerTtlHours { get; init; } = 24;

    /// <summary>Lanes and priorities inside each project; work no lane takes goes to main (priority 512). Default none.</summary>
    public IReadOnlyList<Lane> Lanes { get; init; } = [];

    /// <summary>The Pub/Sub subscription (projects/&lt;p&gt;/subscriptions/&lt;s&gt;) a self-hosted dispatcher pulls completion events from.</summary>
    public string? EventSubscription { get; init; }

    /// <summary>The audience of the OIDC tokens Pub/Sub push sends to the Functions app's /api/events.</summary>
    public string? EventAudience { get; init; }

    /// <summary>The service account whose tokens /api/events accepts (the push subscription's).</summary>
    public string? EventServiceAccount { get; init; }

    /// <summary>Where the keys that sign push tokens are read (a JWKS); Google's by default.</summary>
    public string? EventKeysURL { get; init; }

    /// <summary>With completion events on, the pause between sweeps when a cycle found nothing to do. Default 17000.</summary>
    public int EventSweepPauseMs { get; init; } = 17_000;

    /// <summary>Completion events come in: pulled from <see cref="EventSubscription"/> or pushed to the Functions app.</summary>
    public bool EventsOn => EventSubscription is not null || EventAudience is not null;

    /// <summary>The BigQuery projects whose DONE jobs route rules apply to. Default: ProjectID.</summary>
    public IReadOnlyList<string> RouteProjects { get; init; } = [];

    /// <summary>Route rules apply to jobs created at most this many minutes before the cycle. Default 60.</summary>
    public int RouteLookbackMin { get; init; } = 60;

    // derived

    /// <summary>How long one run may last: TimeToLiveInMin (0 → 1) minutes less a 5 s margin.</summary>
    public TimeSpan RunBudget => TimeSpan.FromMinutes(TimeToLiveInMin == 0 ? 1 : TimeToLiveInMin) - TimeSpan.FromSeconds(5);

    /// <summary>Grace after a window's end before a fired pair is cleaned up (MaxTriggerDelayMs, 0 → 120 s).</summary>
    public TimeSpan TriggerDelay => TimeSpan.FromMilliseconds(MaxTriggerDelayMs == 0 ? 120_000 : MaxTriggerDelayMs);

    /// <summary>Base URL of the trigger bucket, without a trailing '/'.</summary>
    public string TriggerBaseUrl => TriggerPaths.TriggerBase(TriggerBucket);
}
