using System.Collections.Concurrent;
using System.Text;
using BqDispatch.Core.Events;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Events;

/// <summary>The pull receiver against Google's Pub/Sub emulator, with a handler that does what each test scripts.</summary>
[Collection(PubSubCollection.Name)]
public sealed class EventReceiverTests(PubSubFixture pubsub) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly SharedLedger ledger = new();
    private readonly ScriptedHandler handler = new();

    [Fact]
    public async Task Completions_reach_the_handler_once_each_and_the_rest_is_acknowledged_and_counted()
    {
        var (topic, subscription) = await Subscription();
        await pubsub.Emulator.Publish(
            topic,
            Bytes(AuditLogEntryTests.JobChange(jobId: "job_a")),
            Bytes(AuditLogEntryTests.Legacy(jobId: "job_b")),
            Bytes("{not json"),
            Bytes("""{"protoPayload":{"serviceName":"storage.googleapis.com"}}"""),
            Bytes(AuditLogEntryTests.JobChange(jobId: "job_a")));

        await Receive(subscription, () => ledger.Read(l => l.Events.Received) >= 5);

        Assert.Equal(["proj1/job_a", "proj1/job_b"], handler.Handled.Keys.Order());
        Assert.Equal(1, handler.Handled["proj1/job_a"]);
        Assert.Equal(new EventCounts(Received: 5, Completions: 3, Duplicates: 1, NotCompletions: 1, Malformed: 1), ledger.Read(l => l.Events));
        Assert.Equal(2, ledger.Read(l => l.Report().Event.Count));
        // Nothing comes back: a pull that waits two seconds on the server gets nothing.
        Assert.Empty(await new PubSubClient(http, "http://" + pubsub.Emulator.HostAndPort)
            .Pull(subscription, 10, CancellationToken.None, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_trace_inside_the_think_time_is_handled_again_when_old_enough()
    {
        var (topic, subscription) = await Subscription();
        handler.Script("proj1/young", new EventOutcome(EventResult.TooYoung, DateTimeOffset.UtcNow.AddMilliseconds(600)), new EventOutcome(EventResult.HandedOff));
        await pubsub.Emulator.Publish(topic, Bytes(AuditLogEntryTests.JobChange(jobId: "young")));

        await Receive(subscription, () => handler.Handled.GetValueOrDefault("proj1/young") >= 2);

        Assert.Equal(0, ledger.Read(l => l.Events.Duplicates));
        Assert.Equal(1, ledger.Read(l => l.Report().Event.Count));
    }

    [Fact]
    public async Task A_failed_handling_is_redelivered_and_an_unknown_job_is_counted_and_left_to_the_sweep()
    {
        var (topic, subscription) = await Subscription();
        handler.Script("proj1/flaky", new EventOutcome(EventResult.Failed), new EventOutcome(EventResult.HandedOff));
        handler.Script("proj1/stranger", new EventOutcome(EventResult.UnknownJob));
        await pubsub.Emulator.Publish(topic, Bytes(AuditLogEntryTests.JobChange(jobId: "flaky")), Bytes(AuditLogEntryTests.JobChange(jobId: "stranger")));

        await Receive(subscription, () => handler.Handled.GetValueOrDefault("proj1/flaky") >= 2);

        Assert.Equal(1, ledger.Read(l => l.Events.UnknownJobs));
        Assert.True(ledger.Read(l => l.Sight("proj1/stranger", CompletionPath.Poll, null, DateTimeOffset.UtcNow)));
        Assert.Equal(1, ledger.Read(l => l.Report().Event.Count));
    }

    [Fact]
    public async Task A_handler_that_throws_leaves_the_message_for_redelivery_and_the_receiver_goes_on()
    {
        var (topic, subscription) = await Subscription();
        handler.Script("proj1/broken", new EventOutcome(EventResult.Failed, Detail: ScriptedHandler.Throw), new EventOutcome(EventResult.HandedOff));
        await pubsub.Emulator.Publish(topic, Bytes(AuditLogEntryTests.JobChange(jobId: "broken")), Bytes(AuditLogEntryTests.JobChange(jobId: "fine")));

        // Sent back at once, like a transient failure.
        await Receive(subscription, () => handler.Handled.GetValueOrDefault("proj1/broken") >= 2);

        Assert.Equal(1, handler.Handled["proj1/fine"]);
        Assert.Equal(2, ledger.Read(l => l.Report().Event.Count));
    }

    public void Dispose() => http.Dispose();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<(string Topic, string Subscription)> Subscription()
    {
        var topic = await pubsub.Emulator.CreateTopic("proj1", "t" + Guid.NewGuid().ToString("N")[..8]);
        return (topic, await pubsub.Emulator.CreateSubscription(topic, "s" + Guid.NewGuid().ToString("N")[..8]));
    }

    // Runs the receiver until the condition holds (at most 30 s), then stops it.
    private async Task Receive(string subscription, Func<bool> until)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var receiver = new EventReceiver(
            new PubSubClient(http, "http://" + pubsub.Emulator.HostAndPort), subscription, ledger, handler, TimeProvider.System, _ => { });
        var running = receiver.Run(stop.Token);
        while (!until() && !stop.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        await Task.Delay(300, CancellationToken.None);
        await stop.CancelAsync();
        await running;
        Assert.True(until(), "the condition did not hold within 30 s");
    }

    private sealed class ScriptedHandler : ICompletionHandler
    {
        /// <summary>A scripted outcome with this detail throws instead of answering.</summary>
        public const string Throw = "throw";

        private readonly ConcurrentDictionary<string, Queue<EventOutcome>> scripts = new();

        public ConcurrentDictionary<string, int> Handled { get; } = new();

        public void Script(string key, params EventOutcome[] outcomes) => scripts[key] = new Queue<EventOutcome>(outcomes);

        public Task<EventOutcome> Handle(JobCompletion completion, CancellationToken cancellation)
        {
            var key = CompletionLedger.Key(completion.Project, completion.JobId);
            Handled.AddOrUpdate(key, 1, (_, n) => n + 1);
            var outcome = scripts.TryGetValue(key, out var script) && script.Count > 0 ? script.Dequeue() : new EventOutcome(EventResult.HandedOff);
            return outcome.Detail == Throw ? throw new InvalidOperationException("scripted failure") : Task.FromResult(outcome);
        }
    }
}
