using BqDispatch.Cli;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using Xunit;

namespace BqDispatch.Tests.Cli;

public sealed class CommandLineTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CommandLine.Run(args, stdout, stderr, environment);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

    private string Config(string? extra = null) => $$"""
        {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
         "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/"{{extra}}}
        """;

    [Fact]
    public async Task Once_dispatches_a_done_trace_over_file_storage_and_prints_the_status()
    {
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        var traceCreated = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        bigQuery.AddJob(new EmulatedJob("p1", "ds_t--1_00001_load--dispatch", "US", EmulatedJobType.Load, "dispatcher@example.iam.gserviceaccount.com", traceCreated + TimeSpan.FromSeconds(1))
        {
            RunningAt = traceCreated + TimeSpan.FromSeconds(2),
            DoneAt = traceCreated + TimeSpan.FromSeconds(3),
        });
        var trace = Path.Combine(root, "tasks", "proj:p1:US", "ds.t--1_00001_load--dispatch");
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        await File.WriteAllTextAsync(trace, "{\"Action\":\"load\"}");
        File.SetLastWriteTimeUtc(trace, traceCreated.UtcDateTime);
        var configFile = Path.Combine(root, "config.json");
        await File.WriteAllTextAsync(configFile, Config());
        var environment = new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = bigQuery.HostAndPort };

        var (code, stdout, stderr) = await Run(environment, "once", "--config", configFile, "--max-cycles", "1");

        Assert.True(code == 0, stderr);
        var status = StatusJson.Deserialize<StatusDocument>(stdout);
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Totals.HandedOff);
        Assert.False(File.Exists(trace));
        var handedOff = Directory.GetFiles(Path.Combine(root, "trigger", "_bqjob_"), "*.json", SearchOption.AllDirectories);
        Assert.Equal("{\"Action\":\"load\"}", await File.ReadAllTextAsync(Assert.Single(handedOff)));
        Assert.True(File.Exists(Path.Combine(root, "journal", "performance.json")));
        Assert.Contains("cycle 1: handed off 1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_comes_from_the_CONFIG_variable_when_no_option_is_given()
    {
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        Directory.CreateDirectory(Path.Combine(root, "tasks"));
        var environment = new Dictionary<string, string?> { ["CONFIG"] = Config(), ["BIGQUERY_EMULATOR_HOST"] = bigQuery.HostAndPort };

        var (code, stdout, _) = await Run(environment, "once", "--max-cycles", "1");

        Assert.Equal(0, code);
        Assert.Equal(1, StatusJson.Deserialize<StatusDocument>(stdout).Cycles);
    }

    [Fact]
    public async Task A_config_typo_is_one_line_naming_the_key_and_exit_code_2()
    {
        var (code, stdout, stderr) = await Run("once", "--config", Config(",\"MaxConcurentSQL\":3"));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("MaxConcurentSQL", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task No_configuration_at_all_is_a_clear_error()
    {
        var (code, _, stderr) = await Run("once");
        Assert.Equal(2, code);
        Assert.Contains("CONFIG", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_storage_is_a_clear_error_and_exit_code_1()
    {
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        var config = Config().Replace($"file://{root}/tasks/", "mem://no-such-bucket/tasks/", StringComparison.Ordinal);
        var environment = new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = bigQuery.HostAndPort };

        var (code, stdout, stderr) = await Run(environment, "once", "--config", config, "--max-cycles", "3");

        Assert.Equal(1, code);
        Assert.Equal(StatusDocument.Failed, StatusJson.Deserialize<StatusDocument>(stdout).Status);
        Assert.Contains("no-such-bucket", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("once", "--max-cycles", "0")]
    [InlineData("once", "--max-cycles")]
    [InlineData("once", "--verbose")]
    [InlineData("run", "--max-cycles", "2")]
    [InlineData("once", "--http", "127.0.0.1:8282")]
    [InlineData("run", "--http", "0.0.0.0:8282")]
    [InlineData("run", "--http")]
    public async Task Bad_command_lines_print_usage_and_exit_code_2(params string[] args)
    {
        var (code, _, stderr) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains("usage: bqdispatch", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_explains_a_trace_name()
    {
        var (code, stdout, _) = await Run("decode", "proj:xx:US/xx:test.dummy--1179878484004789046_00001_load--dispatch");

        Assert.Equal(0, code);
        Assert.Contains("job id       xx_test_dummy--1179878484004789046_00001_load--dispatch", stdout, StringComparison.Ordinal);
        Assert.Contains("project xx, location US", stdout, StringComparison.Ordinal);
        Assert.Contains("step         1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_stops_after_the_cycle_in_flight_when_asked()
    {
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        Directory.CreateDirectory(Path.Combine(root, "tasks"));
        var environment = new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = bigQuery.HostAndPort };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CommandLine.Run(["run", "--config", Config()], stdout, stderr, environment, stop.Token);

        Assert.Equal(0, code);
        var status = StatusJson.Deserialize<StatusDocument>(Assert.Single(stdout.ToString().Trim().Split('\n')));
        Assert.True(status.Cycles >= 1);
        Assert.EndsWith("bqdispatch: stopped", stderr.ToString().Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_needs_no_google_account_and_hands_off_work()
    {
        var (code, stdout, stderr) = await Run("demo", "--max-cycles", "1");

        Assert.True(code == 0, stderr);
        var status = StatusJson.Deserialize<StatusDocument>(stdout);

        // Its one cycle fires the due window. Whether it also hands traces off depends on the Pub/Sub emulator: when it is
        // installed, completion events are on, and a cycle leaves to them the jobs they are at work on.
        Assert.Equal(1, status.BatchCount);
        Assert.Equal(1, status.Totals.Evicted);
        Assert.Contains("hand-offs landed in gs://demo-trigger", stderr, StringComparison.Ordinal);
        Assert.Contains("gs://demo-trigger/_batch_/", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_runs_over_cloud_storage_with_the_config_read_from_a_gs_url()
    {
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        await using var storage = await CloudStorageEmulator.StartAsync();
        foreach (var bucket in new[] { "disp", "trig", "ops", "conf" })
        {
            storage.CreateBucket(bucket);
        }

        var traceCreated = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        storage.Seed("disp", "Tasks/proj:p1:EU/ds.t--1_00001_query--dispatch", "{\"Action\":\"query\"}"u8, traceCreated);
        storage.Seed("disp", "Tasks/ds.t_1_1700000000.win", "{}"u8, traceCreated);
        storage.Seed("conf", "BqDispatch/config.json", System.Text.Encoding.UTF8.GetBytes(
            """{"ProjectID":"p1","AsyncTaskURL":"gs://disp/Tasks/","TriggerBucket":"trig","JournalURL":"gs://ops/Journal/","ErrorURL":"gs://ops/errors/"}"""));
        bigQuery.AddJob(new EmulatedJob("p1", "ds_t--1_00001_query--dispatch", "EU", EmulatedJobType.Query, "bqtail@example.com", traceCreated + TimeSpan.FromSeconds(1))
        {
            RunningAt = traceCreated + TimeSpan.FromSeconds(1),
            DoneAt = traceCreated + TimeSpan.FromSeconds(2),
        });
        var environment = new Dictionary<string, string?>
        {
            ["CONFIG"] = "gs://conf/BqDispatch/config.json",
            ["STORAGE_EMULATOR_HOST"] = storage.HostAndPort,
            ["BIGQUERY_EMULATOR_HOST"] = bigQuery.HostAndPort,
        };

        var (code, stdout, stderr) = await Run(environment, "once", "--max-cycles", "1");

        Assert.True(code == 0, stderr);
        var status = StatusJson.Deserialize<StatusDocument>(stdout);
        Assert.Equal((1, 1), (status.Totals.HandedOff, status.BatchCount));
        Assert.False(storage.Exists("disp", "Tasks/proj:p1:EU/ds.t--1_00001_query--dispatch"));
        Assert.Equal("{\"Action\":\"query\"}", System.Text.Encoding.UTF8.GetString(storage.Read("trig",
            $"_bqjob_/{traceCreated.UtcDateTime:yyyy-MM-dd_HH}/proj:p1:EU/ds_t--1_00001_query--dispatch.json")!));
        Assert.True(storage.Exists("trig", "_batch_/ds.t_1_1700000000.win"));
        Assert.True(storage.Exists("disp", "Tasks/ds.t_1_1700000000.wis"));
        Assert.True(storage.Exists("ops", "Journal/performance.json"));
    }

    [Fact]
    public async Task Status_shows_the_figures_of_the_last_cycle_and_says_when_there_are_none()
    {
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        Directory.CreateDirectory(Path.Combine(root, "tasks"));
        var environment = new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = bigQuery.HostAndPort };

        var (none, _, noneErr) = await Run(environment, "status", "--config", Config());
        Assert.Equal(1, none);
        Assert.Contains("no status yet", noneErr, StringComparison.Ordinal);

        var trace = Path.Combine(root, "tasks", "proj:p1:EU", "ds.t--1_00001_load--dispatch");
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        await File.WriteAllTextAsync(trace, "{}");
        File.SetLastWriteTimeUtc(trace, DateTime.UtcNow.AddMinutes(-1));
        bigQuery.AddJob(new EmulatedJob("p1", "ds_t--1_00001_load--dispatch", "EU", EmulatedJobType.Load, "bqtail@example.com", DateTimeOffset.UtcNow.AddSeconds(-50))
        {
            RunningAt = DateTimeOffset.UtcNow.AddSeconds(-50),
        });
        Assert.Equal(0, (await Run(environment, "once", "--config", Config(), "--max-cycles", "1")).Code);

        var (code, stdout, _) = await Run(environment, "status", "--config", Config());

        Assert.Equal(0, code);
        Assert.Matches(@"p1\s+EU\s+1\s+1\s+0\s+0\s+0\s+0", stdout);
    }

    [Fact]
    public async Task An_unforeseen_failure_is_one_line_without_a_stack_trace()
    {
        Directory.CreateDirectory(Path.Combine(root, "tasks"));
        var environment = new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = "ftp://127.0.0.1:1" };

        var (code, stdout, stderr) = await Run(environment, "once", "--config", Config(), "--max-cycles", "1");

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("BIGQUERY_EMULATOR_HOST", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
