using BqDispatch.Core.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Functions;

/// <summary>
/// Every minute, the watchdog of the dispatch chain: start it unless it runs; end it if it stopped making progress
/// (the next tick starts it again). While the chain runs, a tick does nothing.
/// </summary>
public sealed class DispatchTimer(LazyDispatcherSetup setup, TimeProvider clock, ILogger<DispatchTimer> log)
{
    [Function(FunctionNames.Timer)]
    public async Task Run(
        [TimerTrigger("0 */1 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        var instanceId = SingletonRun.InstanceId((await setup.Get(cancellation)).Config);
        var start = await DispatchStarter.Start(client, instanceId, watchdog: true, clock.GetUtcNow(), cancellation);
        Log.StartAttempt(log, start.InstanceId, start.Outcome, timer.IsPastDue);
    }
}
