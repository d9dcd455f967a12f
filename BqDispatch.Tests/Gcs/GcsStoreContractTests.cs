using BqDispatch.Core.Storage;
using BqDispatch.Tests.Storage;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>The shared IObjectStore contract, run against GcsStore talking HTTP to the Cloud Storage emulator.</summary>
public sealed class GcsStoreContractTests : ObjectStoreContract, IAsyncLifetime
{
    private GcsHarness? harness;

    protected override IObjectStore Store => harness?.Store ?? throw new InvalidOperationException("Not started.");

    protected override string Base => GcsHarness.Url("base/");

    public async Task InitializeAsync() => harness = await GcsHarness.Start();

    public async Task DisposeAsync()
    {
        if (harness is not null)
        {
            await harness.DisposeAsync();
        }
    }
}
