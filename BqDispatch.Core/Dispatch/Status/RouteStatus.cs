namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// One route rule in the status document (<c>Routes.&lt;rule&gt;</c>), over the run: jobs it matched, post-action
/// files routed, jobs found routed already, matched jobs without actions for their outcome, and failed attempts.
/// </summary>
public sealed class RouteStatus
{
    public int Matched { get; set; }

    public int Routed { get; set; }

    public int AlreadyRouted { get; set; }

    public int NoActions { get; set; }

    public int Failed { get; set; }
}
