using System.Collections.Concurrent;
using System.Diagnostics;

namespace BqDispatch.Core.Events;

/// <summary>What handling one completion came to.</summary>
public enum EventResult
{
    /// <summary>This event's hand-off created the trigger object.</summary>
    HandedOff,

    /// <summary>The trace was handed off already (by the sweep, another dispatcher, or an earlier delivery).</summary>
    AlreadyHandedOff,

    /// <summary>The throttle holds the trace back: it waits for its slot in the cycles, like any other.</summary>
    Held,

    /// <summary>The trace is still inside the think time: try again at <see cref="EventOutcome.RetryAt"/>.</summary>
    TooYoung,

    /// <summary>No trace waits for this job: nothing to hand off (counted).</summary>
    UnknownJob,

    /// <summary>No trace waits for this job, and a route rule routed it (or had routed it).</summary>
    Routed,

    /// <summary>A transient failure (storage, BigQuery): the message is redelivered.</summary>
    Failed,
}

/// <summary>The result and, for <see cref="EventResult.TooYoung"/>, when to look again.</summary>
public sealed record EventOutcome(EventResult Result, DateTimeOffset? RetryAt = null, string? Detail = null);

/// <summary>Acts on one completion: finds its trace, asks the throttle, hands it off exactly once.</summary>
public interface ICompletionHandler
{
    Task<EventOutcome> Handle(JobCompletion completion, CancellationToken cancellation);
}

/// <summary>
/// The pull receiver of a self-hosted dispatcher: for the life of the process (also between cycles and between runs) it
/// pulls completion events from <paramref name="subscription"/>, records each in the ledger and gives it to the handler.
/// A message is acknowledged once it is handled or known to be useless (malformed, not a completion, no trace); a
/// transient failure sends it back for redelivery. A trace still inside the think time is kept and handled when old
/// enough; should the process stop first, the sweep of a later cycle finds the job DONE anyway.
/// </summary>
public sealed class EventReceiver(
    PubSubClient pubsub, string subscription, SharedLedger ledger, ICompletionHandler handler, TimeProvider clock, Action<string> log)
{
    private const int MaxMessages = 100;

    /// <summary>Messages handled at once: completions come in bursts, and each hand-off waits on a few storage calls.</summary>
    private const int Concurrency = 16;

    private static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxFailurePause = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastFlush = TimeSpan.FromSeconds(5);

    private readonly List<(DateTimeOffset Due, JobCompletion Completion)> waiting = [];
    private readonly SemaphoreSlim slots = new(Concurrency);
    private readonly ConcurrentQueue<string> handled = new();
    private readonly ConcurrentQueue<string> again = new();
    private readonly ConcurrentDictionary<string, byte> inHand = new(StringComparer.Ordinal);

    /// <summary>
    /// Pulls (a pull waits on the server until messages come) and hands each message to one of a few handlers at once;
    /// beside it, acknowledges what was handled every tick and handles again the traces that were too young.
    /// </summary>
    public async Task Run(CancellationToken stopping)
    {
        await Task.WhenAll(Pull(stopping), Retry(stopping), Flush(stopping));

        // What is in hand is finished, and acknowledged, before the receiver ends.
        for (var i = 0; i < Concurrency; i++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }

        using var last = new CancellationTokenSource(LastFlush);
        await FlushOnce(last.Token);
    }

    private async Task Pull(CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                var messages = await pubsub.Pull(subscription, MaxMessages, stopping);
                failures = 0;
                foreach (var received in messages)
                {
                    await slots.WaitAsync(stopping);
                    _ = Task.Run(() => HandleAndRelease(received, stopping), CancellationToken.None);
                }

                if (messages.Count == 0 && Stopwatch.GetElapsedTime(started) < IdlePause)
                {
                    // A pull that answers at once when nothing is there must not spin.
                    await Task.Delay(IdlePause, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (PubSubException e)
            {
                failures++;
                if (failures == 1)
                {
                    log($"events: {e.Message}; pulling again with a growing pause (the sweep goes on meanwhile)");
                }

                await Pause(TimeSpan.FromMilliseconds(Math.Min(MaxFailurePause.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 8)))), stopping);
            }
        }
    }

    private async Task HandleAndRelease(ReceivedMessage received, CancellationToken stopping)
    {
        try
        {
            var reading = AuditLogEntry.Read(received.Message.Data);
            ledger.Update(l => l.Count(EventCounts.Of(reading.Kind)));
            var result = reading.Completion is { } completion ? await Handle(completion, retry: false, stopping) : EventResult.UnknownJob;

            // A transient failure is redelivered at once: it may be over, and if it is not the sweep still finds the job.
            (result == EventResult.Failed ? again : handled).Enqueue(received.AckId);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: not acknowledged, so delivered again to whoever pulls next.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Like a transient failure: delivered again at once, and the sweep finds the job meanwhile.
            again.Enqueue(received.AckId);
            log($"events: a message could not be handled, sent back for redelivery: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task Flush(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Pause(Tick, stopping);
            await FlushOnce(stopping);
        }
    }

    private async Task FlushOnce(CancellationToken cancellation)
    {
        try
        {
            await pubsub.Acknowledge(subscription, Drain(handled), cancellation);
            await pubsub.ModifyAckDeadline(subscription, Drain(again), 0, cancellation);
        }
        catch (Exception e) when (e is PubSubException or OperationCanceledException)
        {
            // Unacknowledged messages come back; their hand-offs are done, and the ledger counts them as duplicates.
        }
    }

    private static List<string> Drain(ConcurrentQueue<string> queue)
    {
        var ids = new List<string>();
        while (queue.TryDequeue(out var id))
        {
            ids.Add(id);
        }

        return ids;
    }

    private async Task Retry(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            List<JobCompletion> due;
            var now = clock.GetUtcNow();
            lock (waiting)
            {
                due = waiting.Where(w => w.Due <= now).Select(w => w.Completion).ToList();
                waiting.RemoveAll(w => w.Due <= now);
            }

            foreach (var completion in due)
            {
                await Handle(completion, retry: true, stopping);
            }

            await Pause(Tick, stopping);
        }
    }

    private async Task<EventResult> Handle(JobCompletion completion, bool retry, CancellationToken stopping)
    {
        var key = CompletionLedger.Key(completion.Project, completion.JobId);
        if (ledger.Update(l => l.SightEvent(new EventSighting(key, completion.Ended, clock.GetUtcNow(), retry))))
        {
            log($"event {completion.Project}/{completion.JobId}: handed off already");
            return EventResult.AlreadyHandedOff;
        }

        // Deliveries of one event handled at once would all hand off (exactly once, but each at a cost): the first keeps
        // the job in hand until it is done with it, the think time included, and the others are acknowledged.
        if (!retry && !inHand.TryAdd(key, 0))
        {
            log($"event {completion.Project}/{completion.JobId}: in hand already");
            return EventResult.AlreadyHandedOff;
        }

        var outcome = new EventOutcome(EventResult.Failed);
        try
        {
            outcome = await handler.Handle(completion, stopping);
        }
        finally
        {
            if (outcome.Result != EventResult.TooYoung)
            {
                inHand.TryRemove(key, out _);
            }
        }

        log($"event {completion.Project}/{completion.JobId}: {Words(outcome)}");
        if (outcome.Result == EventResult.TooYoung)
        {
            lock (waiting)
            {
                waiting.Add((outcome.RetryAt ?? clock.GetUtcNow(), completion));
            }
        }

        ledger.Update(l => l.Settle(new EventSettlement(key, outcome.Result, completion.Ended, clock.GetUtcNow())));
        return outcome.Result;
    }

    private static string Words(EventOutcome outcome) => outcome.Result switch
    {
        EventResult.HandedOff => "handed off",
        EventResult.AlreadyHandedOff => "handed off already",
        EventResult.Held => $"left to the cycles ({outcome.Detail ?? "held"})",
        EventResult.TooYoung => $"inside the think time until {outcome.RetryAt:HH:mm:ss.fff}",
        EventResult.UnknownJob => "no trace waits for it",
        EventResult.Routed => "no trace waits for it; routed by a route rule",
        _ => $"failed, redelivered ({outcome.Detail})",
    };

    private static async Task Pause(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop ends.
        }
    }
}

/// <summary>The ledger of a process, shared by the receiver and the cycles: one change at a time.</summary>
public sealed class SharedLedger
{
    private readonly CompletionLedger ledger = new();

    public void Update(Action<CompletionLedger> change)
    {
        lock (ledger)
        {
            change(ledger);
        }
    }

    public T Update<T>(Func<CompletionLedger, T> change)
    {
        lock (ledger)
        {
            return change(ledger);
        }
    }

    public T Read<T>(Func<CompletionLedger, T> read)
    {
        lock (ledger)
        {
            return read(ledger);
        }
    }
}
