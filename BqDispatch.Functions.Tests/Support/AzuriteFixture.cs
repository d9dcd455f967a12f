using BqDispatch.DurableHost;
using Xunit;

namespace BqDispatch.Functions.Tests.Support;

/// <summary>One Azurite for every Durable test (they run one class at a time in the "durable" collection).</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? azurite;

    public Azurite Azurite => azurite ?? throw new InvalidOperationException("Azurite has not started");

    public async Task InitializeAsync() => azurite = await Azurite.Start();

    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}

/// <summary>The tests that run the app on the local Durable backend share one Azurite and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DurableCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "durable";
}
