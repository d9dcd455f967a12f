namespace BqDispatch.Functions;

/// <summary>The app's function names: the orchestrator calls activities and entities by these.</summary>
public static class FunctionNames
{
    /// <summary>The timer; disable it with the app setting AzureWebJobs.BqDispatchTimer.Disabled=true.</summary>
    public const string Timer = "BqDispatchTimer";

    public const string Orchestrator = "BqDispatchRun";

    public const string Settings = "BqDispatchSettings";

    public const string Scan = "BqDispatchScan";

    public const string HandOff = "BqDispatchHandOff";

    public const string FireWindows = "BqDispatchFireWindows";

    public const string Cleanup = "BqDispatchCleanup";

    public const string Route = "BqDispatchRoute";

    public const string CompleteGroups = "BqDispatchCompleteGroups";

    public const string Publish = "BqDispatchPublish";

    public const string PublishRun = "BqDispatchPublishRun";

    public const string Status = "BqDispatchStatus";

    public const string Queue = "BqDispatchQueue";

    public const string RunNow = "BqDispatchRunNow";

    /// <summary>POST /api/events: Pub/Sub push of completion events.</summary>
    public const string Events = "BqDispatchEvents";

    /// <summary>One job's completion event: find its trace, wait out the think time, admit, hand off.</summary>
    public const string EventOrchestrator = "BqDispatchEvent";

    public const string LocateTrace = "BqDispatchLocateTrace";

    /// <summary>An event's job that no trace waits for, to the route rules.</summary>
    public const string RouteJob = "BqDispatchRouteJob";
}
