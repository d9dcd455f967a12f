using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// What a self-hosted dispatcher (<c>run --http</c>) shows as its instance, in the shape Azure's status endpoint gives
/// the orchestration: running since it started, last updated at its latest cycle, with that cycle's running summary.
/// </summary>
public sealed class SelfHostedStatus(string instanceId, DateTimeOffset started)
{
    private readonly Lock gate = new();
    private string? summary;
    private DateTimeOffset? lastUpdated;

    /// <summary>Takes the status published after a cycle.</summary>
    public void Cycle(StatusDocument status, DateTimeOffset now)
    {
        var text = StatusJson.Serialize(RunSummary.From(status));
        lock (gate)
        {
            summary = text;
            lastUpdated = now;
        }
    }

    public InstanceView View()
    {
        lock (gate)
        {
            return new InstanceView(instanceId, RunState.Running, started, lastUpdated ?? started, summary);
        }
    }
}
