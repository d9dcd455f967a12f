using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;

namespace BqDispatch.Cli;

/// <summary>
/// The completion events of a self-hosted dispatcher: with EventSubscription set, the pull receiver runs from the start
/// of the command to its end, beside the cycles and through their pauses; the ledger is shared with them. Disposing
/// stops the receiver and waits for the message in hand.
/// </summary>
public sealed class SelfHostedEvents : IAsyncDisposable
{
    private readonly CancellationTokenSource stop;
    private readonly Task receiving;

    private SelfHostedEvents(CancellationTokenSource stop, SharedLedger ledger, Task receiving)
    {
        this.stop = stop;
        Ledger = ledger;
        this.receiving = receiving;
    }

    public SharedLedger Ledger { get; }

    public static SelfHostedEvents Start(DispatcherSetup setup, ProjectThrottles throttles, TextWriter stderr, CancellationToken stopping)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var ledger = new SharedLedger();
        if (setup.Receiver(throttles, ledger, line => stderr.WriteLine("bqdispatch: " + line)) is not { } receiver)
        {
            return new SelfHostedEvents(stop, ledger, Task.CompletedTask);
        }

        stderr.WriteLine($"bqdispatch: completion events from {setup.Config.EventSubscription} (pull); the cycles' sweep is the safety net");
        return new SelfHostedEvents(stop, ledger, Task.Run(() => receiver.Run(stop.Token), CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }

        await receiving;
        stop.Dispose();
    }
}
