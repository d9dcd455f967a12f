using System.Diagnostics;
using System.Text;
using BqDispatch.Cli;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.Storage;
using Xunit;

namespace BqDispatch.Tests.Configuration;

/// <summary>A configuration source holds at most 10 MiB, and a local one must be a regular file: nothing can exhaust memory or block the start.</summary>
public sealed class ConfigSourceLimitTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bqdispatch-config-limits-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task A_file_of_exactly_ten_mebibytes_is_read()
    {
        var path = Path.Combine(folder, "padded.json");
        await File.WriteAllTextAsync(path, Padded(ConfigLoader.MaxBytes));

        var config = await Load(path);

        Assert.Equal("cfgp", config.ProjectID);
    }

    [Fact]
    public async Task A_file_one_byte_larger_is_refused_by_size()
    {
        var path = Path.Combine(folder, "padded.json");
        await File.WriteAllTextAsync(path, Padded(ConfigLoader.MaxBytes + 1));

        var error = await Assert.ThrowsAsync<ConfigException>(() => Load(path));

        Assert.Equal($"config: {path} holds 10,485,761 bytes or more; a configuration may hold at most 10,485,760 bytes (10 MiB)", error.Message);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("file:///dev/zero")]
    [InlineData("/dev/null")]
    public async Task Devices_are_refused_at_once(string source)
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => Load(source).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal($"config file {source} is empty or not a regular file (devices, FIFOs and sockets are refused)", error.Message);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_waiting_for_a_writer()
    {
        var fifo = Path.Combine(folder, "config.fifo");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var error = await Assert.ThrowsAsync<ConfigException>(() => Task.Run(() => Load(fifo)).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_refused()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => Load(folder));

        Assert.Equal($"config {folder} is a directory, not a file", error.Message);
    }

    [Fact]
    public async Task Json_text_over_the_limit_is_refused()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => Load(Padded(ConfigLoader.MaxBytes + 1)));

        Assert.StartsWith("config: the configuration text holds 10,485,761 bytes or more", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_read_larger_than_the_limit_is_refused()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => ConfigLoader.Load(
            "mem://cfg/config.json", ConfigJson.NoEnvironment, (_, _) => Task.FromResult(new byte[ConfigLoader.MaxBytes + 1]), CancellationToken.None));

        Assert.StartsWith("config: mem://cfg/config.json holds 10,485,761 bytes or more", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cloud_storage_config_is_read_with_its_answer_capped_at_the_limit()
    {
        await using var storage = await CloudStorageEmulator.StartAsync();
        storage.CreateBucket("conf");
        storage.Seed("conf", "config.json", Encoding.UTF8.GetBytes(Padded(ConfigLoader.MaxBytes + 1)));
        var environment = new Dictionary<string, string?>
        {
            [GoogleAccess.StorageEmulatorHostVariable] = storage.HostAndPort,
            [GoogleAccess.BigQueryEmulatorHostVariable] = "127.0.0.1:9",
        };

        var error = await Assert.ThrowsAsync<ConfigException>(() => DispatcherSetup.Create("gs://conf/config.json", environment, CancellationToken.None));

        Assert.Equal(
            "cannot read config gs://conf/config.json: gs://conf/config.json: invalid response: objects.get: the response body is larger than 10,485,760 bytes",
            error.Message);
    }

    [Fact]
    public async Task The_cli_says_so_in_one_line_with_exit_code_2()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CommandLine.Run(["once", "--config", "/dev/zero"], stdout, stderr, new Dictionary<string, string?>());

        Assert.Equal(2, code);
        Assert.Equal("bqdispatch: config file /dev/zero is empty or not a regular file (devices, FIFOs and sockets are refused)", stderr.ToString().Trim());
    }

    private static Task<DispatchConfig> Load(string source) =>
        ConfigLoader.Load(source, ConfigJson.NoEnvironment, (_, _) => throw new InvalidOperationException("no URL is read"), CancellationToken.None);

    /// <summary>The minimal configuration padded with spaces to exactly <paramref name="bytes"/> bytes.</summary>
    private static string Padded(int bytes) => ConfigJson.Minimal.Trim() + new string(' ', bytes - Encoding.UTF8.GetByteCount(ConfigJson.Minimal.Trim()));
}
