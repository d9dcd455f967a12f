using BqDispatch.Core.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Functions;

/// <summary>Every minute: start a run unless one is active (the Go dispatcher's Cloud Scheduler job).</summary>
public sealed class DispatchTimer(LazyDispatcherSetup setup, ILogger<DispatchTimer> log)
{
    [Function(FunctionNames.Timer)]
    public async Task Run(
        [TimerTrigger("0 */1 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        var start = await DispatchStarter.Start(client, await setup.Get(cancellation), cancellation);
        Log.StartAttempt(log, start.InstanceId, start.Outcome, timer.IsPastDue);
    }
}
