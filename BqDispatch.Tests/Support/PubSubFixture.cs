using BqDispatch.Emulators.PubSub;
using Xunit;

namespace BqDispatch.Tests.Support;

/// <summary>One Pub/Sub emulator for the tests that pull events (they run one class at a time in the "pubsub" collection).</summary>
public sealed class PubSubFixture : IAsyncLifetime
{
    private PubSubEmulator? emulator;

    public PubSubEmulator Emulator => emulator ?? throw new InvalidOperationException("the Pub/Sub emulator has not started");

    public async Task InitializeAsync() => emulator = await PubSubEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PubSubCollection : ICollectionFixture<PubSubFixture>
{
    public const string Name = "pubsub";
}
