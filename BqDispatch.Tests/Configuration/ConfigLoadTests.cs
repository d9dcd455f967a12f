using System.Text;
using BqDispatch.Core.Configuration;
using Xunit;

namespace BqDispatch.Tests.Configuration;

public sealed class ConfigLoadTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bqdispatch-config-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Json_text_is_the_config_itself()
    {
        var config = await Load("  \n" + ConfigJson.Minimal, NoUrls);

        Assert.Equal("cfgp", config.ProjectID);
        Assert.Equal("", config.URL);
    }

    [Fact]
    public async Task A_path_is_read_from_the_local_file()
    {
        var path = Path.Combine(folder, "dispatch.json");
        await File.WriteAllTextAsync(path, ConfigJson.Deployment, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var config = await Load(path, NoUrls);

        Assert.Equal(150, config.MaxConcurrentLoad);
        Assert.Equal(path, config.URL);
    }

    [Fact]
    public async Task A_file_url_is_read_from_the_local_file()
    {
        var path = Path.Combine(folder, "dispatch.json");
        await File.WriteAllTextAsync(path, ConfigJson.Deployment);

        var config = await Load("file://" + path, NoUrls);

        Assert.Equal(150, config.MaxConcurrentLoad);
        Assert.Equal("file://" + path, config.URL);
    }

    [Theory]
    [InlineData("gs://cfg/BqDispatch/config.json")]
    [InlineData("mem://cfg/config.json")]
    public async Task A_url_is_read_through_the_storage_reader(string url)
    {
        var requested = new List<string>();

        var config = await Load(url, (u, _) =>
        {
            requested.Add(u);
            return Task.FromResult(Encoding.UTF8.GetBytes(ConfigJson.EndToEnd));
        });

        Assert.Equal([url], requested);
        Assert.Equal(100, config.MaxConcurrentLoad);
        Assert.Equal(url, config.URL);
    }

    [Fact]
    public async Task A_url_that_cannot_be_read_is_a_config_error_naming_it()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() =>
            Load("gs://cfg/missing.json", (_, _) => Task.FromException<byte[]>(new InvalidOperationException("404 not found"))));

        Assert.Equal("cannot read config gs://cfg/missing.json: 404 not found", error.Message);
    }

    [Fact]
    public async Task An_unsupported_url_scheme_is_an_error()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => Load("https://example.com/config.json", NoUrls));

        Assert.Contains("https://example.com/config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_an_error_naming_the_path()
    {
        var path = Path.Combine(folder, "absent.json");

        var error = await Assert.ThrowsAsync<ConfigException>(() => Load(path, NoUrls));

        Assert.Equal($"config file not found: {path}", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task No_source_is_an_error_saying_how_to_give_one(string? source)
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => Load(source, NoUrls));

        Assert.Equal("no configuration: set CONFIG or pass --config", error.Message);
    }

    [Fact]
    public async Task A_bad_config_read_from_a_url_reports_the_key()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() =>
            Load("gs://cfg/config.json", (_, _) => Task.FromResult(Encoding.UTF8.GetBytes(ConfigJson.MinimalWith("MaxConcurentSQL", "1")))));

        Assert.Contains("MaxConcurentSQL", error.Message, StringComparison.Ordinal);
    }

    private static Task<byte[]> NoUrls(string url, CancellationToken cancellation) =>
        throw new InvalidOperationException("no URL should be read");

    private static Task<DispatchConfig> Load(string? source, Func<string, CancellationToken, Task<byte[]>> readUrl) =>
        ConfigLoader.Load(source, ConfigJson.ProjectEnvironment, readUrl, CancellationToken.None);
}
