using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>A slot held for a dispatch whose BigQuery job may not be visible yet.</summary>
public sealed record Reservation(JobKind Kind, DateTimeOffset ReservedAt, DateTimeOffset ExpiresAt);
