using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>
/// A slot held for admitted work (<paramref name="Key"/>: its trace or window URL) whose follow-up job BigQuery may not
/// show yet: BqTail has not acted on the hand-off, or has just started the job. It counts in its project and its lane.
/// </summary>
public sealed record Reservation(
    JobKind Kind, DateTimeOffset ReservedAt, DateTimeOffset ExpiresAt, string Key = "", string Lane = Throttling.Lane.MainName);
