namespace BqDispatch.Core.Routes;

/// <summary>Input of the route activity: the cycle's clock.</summary>
public sealed record RouteRequest(DateTimeOffset Now);

/// <summary>What one route rule did (the status document's <c>Routes.&lt;rule&gt;</c>).</summary>
/// <param name="Matched">Jobs its filter matched (first match wins), each counted once.</param>
/// <param name="Routed">Post-action files this dispatcher created.</param>
/// <param name="AlreadyRouted">Matched jobs the journal shows routed already (by an earlier run, or another dispatcher).</param>
/// <param name="NoActions">Matched jobs whose outcome has no actions in the rule (a success and no OnSuccess, say): not routed.</param>
/// <param name="Failed">Routing attempts that failed (tried again in a later sweep).</param>
public sealed record RouteCounts(int Matched = 0, int Routed = 0, int AlreadyRouted = 0, int NoActions = 0, int Failed = 0)
{
    public RouteCounts Plus(RouteCounts other) => new(
        Matched + other.Matched, Routed + other.Routed, AlreadyRouted + other.AlreadyRouted, NoActions + other.NoActions, Failed + other.Failed);
}

/// <summary>What one route sweep did: counts per rule, problems, and its BigQuery calls.</summary>
/// <param name="Unmatched">DONE jobs no rule matched.</param>
/// <param name="Waiting">Jobs to be looked at again next sweep: routing failed or in flight elsewhere, or finished beyond the jobs.get budget.</param>
public sealed record RouteOutcome(
    IReadOnlyDictionary<string, RouteCounts> ByRule,
    IReadOnlyList<string> Errors,
    int Unmatched,
    int Waiting,
    int ListCalls,
    int ListPages,
    int GetCalls,
    int RecordsRemoved)
{
    public static readonly RouteOutcome None = new(new Dictionary<string, RouteCounts>(), [], 0, 0, 0, 0, 0, 0);
}

/// <summary>A job the next sweep would route (or has routed already), by which rule, and where its post actions would go.</summary>
public sealed record PlannedRoute(string Project, string JobId, string Type, string Rule, string Trigger, bool HasActions, bool AlreadyRouted);
