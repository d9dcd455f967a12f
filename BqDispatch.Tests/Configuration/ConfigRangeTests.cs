using System.Globalization;
using BqDispatch.Cli;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Configuration;

/// <summary>Every numeric key has a range: its bounds are accepted and work, one past them is an error naming the key and the range.</summary>
public sealed class ConfigRangeTests
{
    public static TheoryData<string> NumericKeys => [.. ConfigRange.ByKey.Keys];

    [Theory]
    [MemberData(nameof(NumericKeys))]
    public void Both_bounds_are_accepted_and_read_back(string key)
    {
        var range = ConfigRange.ByKey[key];

        Assert.Equal(range.Min, Read(ConfigLoader.Parse(ConfigJson.MinimalWith(key, Json(range.Min)), ConfigJson.NoEnvironment), key));
        Assert.Equal(range.Max, Read(ConfigLoader.Parse(ConfigJson.MinimalWith(key, Json(range.Max)), ConfigJson.NoEnvironment), key));
    }

    [Theory]
    [MemberData(nameof(NumericKeys))]
    public void One_past_either_bound_is_an_error_naming_the_key_and_its_range(string key)
    {
        var range = ConfigRange.ByKey[key];

        foreach (var outside in new long[] { range.Min - 1L, range.Max + 1L })
        {
            var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(ConfigJson.MinimalWith(key, Json(outside)), ConfigJson.NoEnvironment));
            Assert.Equal($"config: {key} must be within {range}, got {Json(outside)}", error.Message);
        }
    }

    [Fact]
    public async Task The_cli_reports_a_value_out_of_range_in_one_line_with_exit_code_2()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CommandLine.Run(
            ["once", "--config", ConfigJson.MinimalWith("OrphanTraceTtlHours", "2147483647")], stdout, stderr, new Dictionary<string, string?>());

        Assert.Equal(2, code);
        Assert.Equal("bqdispatch: config: OrphanTraceTtlHours must be within 1–8,760, got 2147483647", stderr.ToString().Trim());
    }

    [Fact]
    public void Every_whole_number_setting_has_a_range()
    {
        var numeric = typeof(DispatchConfig).GetProperties().Where(p => p.PropertyType == typeof(int)).Select(p => p.Name);

        Assert.Empty(numeric.Except(ConfigRange.ByKey.Keys));
    }

    [Fact]
    public void The_readme_configuration_table_shows_each_range()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));

        foreach (var (key, range) in ConfigRange.ByKey)
        {
            var row = readme.FirstOrDefault(line => line.StartsWith($"| `{key}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"README has no configuration row for {key}");
            Assert.Equal(range.ToString(), row.Split('|')[3].Trim());
        }
    }

    [Fact]
    public void The_readme_configuration_table_shows_the_range_of_each_lane_key()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));

        foreach (var (key, range) in ConfigRange.ByLaneKey)
        {
            var row = readme.FirstOrDefault(line => line.StartsWith($"| `Lanes[].{key}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"README has no configuration row for Lanes[].{key}");
            Assert.Equal(range.ToString(), row.Split('|')[3].Trim());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cycle_runs_with_every_key_at_a_bound(bool maximum)
    {
        var settings = ConfigRange.ByKey
            .Where(entry => entry.Key != "MaxConcurrentJobs")
            .ToDictionary(entry => entry.Key, entry => maximum ? entry.Value.Max : entry.Value.Min);
        await using var f = await DispatchFixture.Create(StorageKind.Memory, settings);
        var age = TimeSpan.FromHours(2);
        var done = f.Trace("proj:p1:US/ds.t--1_00001_load--dispatch", age);
        f.Trace("proj:p1:US/ds.t--2_00001_load--dispatch", age);
        f.Object(f.Tasks + "ds.w_1_1700000000.win", "{}", age);
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: done.Created);

        var status = await f.Run(maxCycles: 1);

        // At the minimum the DONE listing looks back one hour and no jobs.get is allowed, so the trace waits.
        Assert.Equal(1, status.Cycles);
        Assert.Equal(maximum ? 1 : 0, status.Totals.HandedOff);
        Assert.Equal(1, status.BatchCount);
        Assert.Equal(StatusDocument.Ok, status.Status);
    }

    private static string Json(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Read(DispatchConfig config, string key) =>
        (int)typeof(DispatchConfig).GetProperty(key == "MaxConcurrentJobs" ? "MaxConcurrentLoad" : key)!.GetValue(config)!;

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "BqDispatch.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("the repository root was not found above " + AppContext.BaseDirectory);
    }
}
