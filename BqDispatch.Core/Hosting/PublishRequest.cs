using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// The publish activity's input in the Durable host: the cycle's snapshot (no maps), its metrics, and the held work per
/// lane when the cycle changed it.
/// </summary>
public sealed record PublishRequest(StatusDocument Status, IReadOnlyList<MetricValue> Metrics, QueueDocument? Queue = null);
