using BqDispatch.Core.Configuration;
using BqDispatch.Core.Hosting;
using Xunit;

namespace BqDispatch.Tests.Hosting;

public class LazyDispatcherSetupTests
{
    private const string Config = """
        {"ProjectID": "p", "AsyncTaskURL": "mem://d/Tasks/", "JournalURL": "mem://o/Journal/", "ErrorURL": "mem://o/errors/"}
        """;

    // Emulator hosts keep the setup from looking for real Google credentials; nothing is called during setup.
    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["BIGQUERY_EMULATOR_HOST"] = "127.0.0.1:9",
        ["STORAGE_EMULATOR_HOST"] = "127.0.0.1:9",
    };

    [Fact]
    public async Task The_setup_is_built_once_and_shared()
    {
        var builds = 0;
        using var lazy = new LazyDispatcherSetup(ct => { builds++; return DispatcherSetup.Create(Config, Environment, ct); });

        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => lazy.Get(CancellationToken.None)));

        Assert.Equal(1, builds);
        Assert.All(all, s => Assert.Same(all[0], s));
        Assert.Equal("mem://d/Tasks/", all[0].Config.AsyncTaskURL);
    }

    [Fact]
    public async Task A_failed_build_is_retried_by_the_next_caller()
    {
        var source = "{\"ProjectID\": \"p\"}";
        using var lazy = new LazyDispatcherSetup(ct => DispatcherSetup.Create(source, Environment, ct));

        await Assert.ThrowsAsync<ConfigException>(() => lazy.Get(CancellationToken.None));
        source = Config;
        var setup = await lazy.Get(CancellationToken.None);

        Assert.Equal("p", setup.Config.ProjectID);
    }
}
