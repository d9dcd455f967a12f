using System.Text.Json.Nodes;
using BqDispatch.Core.Events;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.PubSub;

namespace BqDispatch.Cli.Demo;

/// <summary>
/// The demo's completion events: Google's Pub/Sub emulator with a topic, a pull subscription and an audit-log feed that
/// publishes each job's end; the demo's configuration with EventSubscription set. Without the emulator, the demo's
/// configuration as it is (the sweep alone), and one line that says so.
/// </summary>
public sealed class DemoEvents : IAsyncDisposable
{
    private readonly PubSubEmulator? pubsub;
    private readonly AuditLogFeed? feed;

    private DemoEvents(string config, PubSubEmulator? pubsub, AuditLogFeed? feed)
    {
        Config = config;
        this.pubsub = pubsub;
        this.feed = feed;
    }

    public string Config { get; }

    public static async Task<DemoEvents> Start(
        BigQueryEmulator bigQuery, Dictionary<string, string?> environment, TextWriter stderr, CancellationToken cancellation)
    {
        PubSubEmulator pubsub;
        try
        {
            pubsub = await PubSubEmulator.StartAsync(cancellation);
        }
        catch (InvalidOperationException e)
        {
            await stderr.WriteLineAsync($"demo: completion events off ({e.Message}); the cycles' sweep alone notices DONE jobs");
            return new DemoEvents(DemoWorkload.Config, null, null);
        }

        var topic = await pubsub.CreateTopic("demo-main", "bq-job-done");
        var subscription = await pubsub.CreateSubscription(topic, "bqdispatch");
        var feed = new AuditLogFeed(bigQuery, pubsub, topic);
        feed.Start();
        environment[PubSubClient.EmulatorHostVariable] = pubsub.HostAndPort;
        var config = JsonNode.Parse(DemoWorkload.Config)!.AsObject();
        config["EventSubscription"] = subscription;
        await stderr.WriteLineAsync($"demo: Pub/Sub emulator on {pubsub.HostAndPort}: each job's end is published to {topic} as its audit entry; completion events on");
        return new DemoEvents(config.ToJsonString(), pubsub, feed);
    }

    public async ValueTask DisposeAsync()
    {
        if (feed is not null)
        {
            await feed.DisposeAsync();
        }

        if (pubsub is not null)
        {
            await pubsub.DisposeAsync();
        }
    }
}
