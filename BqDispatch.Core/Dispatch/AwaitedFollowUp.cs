namespace BqDispatch.Core.Dispatch;

/// <summary>
/// Admitted work whose throttle reservation waits for evidence that BqTail acted on it.
/// </summary>
/// <param name="Key">The admitted trace's or window's URL, as its reservation holds it.</param>
/// <param name="Project">The lane (BigQuery project) that holds the reservation.</param>
/// <param name="Trigger">The object handed to BqTail: BqTail deletes it once it has acted (after starting any job).</param>
/// <param name="NextStep">For a trace, <c>&lt;event&gt;_&lt;step + 1&gt;</c>: BqTail writes that step's trace before its job.</param>
/// <param name="Since">When it was admitted; it is forgotten after the reservation TTL, when its reservation expires anyway.</param>
public sealed record AwaitedFollowUp(string Key, string Project, string Trigger, string? NextStep, DateTimeOffset Since);
