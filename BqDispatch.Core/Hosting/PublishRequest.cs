using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Hosting;

/// <summary>The publish activity's input in the Durable host: the cycle's snapshot (no maps) and its metrics.</summary>
public sealed record PublishRequest(StatusDocument Status, IReadOnlyList<MetricValue> Metrics);
