using System.Text;
using BqDispatch.Core.Events;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Events;

/// <summary>The pull subscriber's REST calls against Google's Pub/Sub emulator.</summary>
[Collection(PubSubCollection.Name)]
public sealed class PubSubClientTests(PubSubFixture pubsub) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private PubSubClient Client() => new(http, "http://" + pubsub.Emulator.HostAndPort);

    [Fact]
    public async Task Pulled_messages_come_with_their_data_and_stay_gone_once_acknowledged()
    {
        var topic = await pubsub.Emulator.CreateTopic("proj1", "t" + Guid.NewGuid().ToString("N")[..8]);
        var subscription = await pubsub.Emulator.CreateSubscription(topic, "s" + Guid.NewGuid().ToString("N")[..8], ackDeadlineSeconds: 10);
        var ids = await pubsub.Emulator.Publish(topic, Encoding.UTF8.GetBytes("one"), Encoding.UTF8.GetBytes("two"));

        var received = await PullAll(subscription, 2);
        await Client().Acknowledge(subscription, received.Select(r => r.AckId).ToList(), CancellationToken.None);
        await pubsub.Emulator.Publish(topic, Encoding.UTF8.GetBytes("three"));
        var after = await PullAll(subscription, 1);

        Assert.Equal(ids.Order(), received.Select(r => r.Message.MessageId).Order());
        Assert.Equal(["one", "two"], received.Select(r => Encoding.UTF8.GetString(r.Message.Data)).Order());
        Assert.Equal("three", Encoding.UTF8.GetString(Assert.Single(after).Message.Data));
    }

    [Fact]
    public async Task A_message_whose_deadline_is_set_to_zero_comes_back()
    {
        var topic = await pubsub.Emulator.CreateTopic("proj1", "t" + Guid.NewGuid().ToString("N")[..8]);
        var subscription = await pubsub.Emulator.CreateSubscription(topic, "s" + Guid.NewGuid().ToString("N")[..8], ackDeadlineSeconds: 60);
        await pubsub.Emulator.Publish(topic, Encoding.UTF8.GetBytes("again"));

        var first = Assert.Single(await PullAll(subscription, 1));
        await Client().ModifyAckDeadline(subscription, [first.AckId], 0, CancellationToken.None);
        var second = Assert.Single(await PullAll(subscription, 1));

        Assert.Equal(first.Message.MessageId, second.Message.MessageId);
    }

    [Fact]
    public async Task An_unknown_subscription_is_a_404_naming_it()
    {
        var error = await Assert.ThrowsAsync<PubSubException>(() =>
            Client().Pull("projects/proj1/subscriptions/missing-sub", 10, CancellationToken.None));

        Assert.Equal(404, error.Status);
        Assert.Contains("projects/proj1/subscriptions/missing-sub", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => http.Dispose();

    private async Task<List<ReceivedMessage>> PullAll(string subscription, int count)
    {
        var all = new List<ReceivedMessage>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (all.Count < count)
        {
            all.AddRange(await Client().Pull(subscription, 10, limit.Token));
        }

        return all;
    }
}
