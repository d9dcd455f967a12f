using BqDispatch.Core.Configuration;
using Xunit;

namespace BqDispatch.Tests.Configuration;

public class ConfigParseTests
{
    [Fact]
    public void The_deployment_example_parses_with_bqtails_defaults()
    {
        var config = ConfigLoader.Parse(ConfigJson.Deployment, ConfigJson.ProjectEnvironment);

        var expected = new DispatchConfig
        {
            ProjectID = "xx-e2e",
            Region = "us-central1",
            AsyncTaskURL = "gs://xx_bqdispatch/BqDispatch/Tasks/",
            ErrorURL = "gs://xx_operation/BqDispatch/errors/",
            JournalURL = "gs://xx_operation/BqTail/Journal/",
            ActiveLoadProcessURL = "gs://xx_operation/BqTail/Journal/Running",
            DoneLoadProcessURL = "gs://xx_operation/BqTail/Journal/Done",
            InvalidSchemaURL = "gs://xx_operation/BqTail/Journal/invalid_schema",
            RulesURL = "gs://xx_config/BqDispatch/Rules/",
            CorruptedFileURL = "gs://xx_operation/BqTail/Corrupted/",
            TriggerBucket = "xx_bqtail",
            CheckInMs = 15000,
            SlackCredentials = new SlackCredentials("gs://xx_config/Secrets/slack.json.enc", "", "xx_ring/xx_key"),
            MaxConcurrentSQL = 80,
            MaxConcurrentLoad = 150,
        };
        Assert.Equal(expected, config);
    }

    [Fact]
    public void Defaults_match_bqtail_and_the_design()
    {
        var config = ConfigLoader.Parse(ConfigJson.Minimal, ConfigJson.NoEnvironment);

        Assert.Equal("/_bqjob_/", config.PostJobPrefix);
        Assert.Equal("/_batch_/", config.BatchPrefix);
        Assert.Equal("/_load_/", config.LoadProcessPrefix);
        Assert.Equal(4, config.MaxRetries);
        Assert.Equal("cfgp_bqtail", config.TriggerBucket);
        Assert.Equal(0, config.MaxConcurrentSQL);
        Assert.Equal(0, config.MaxConcurrentLoad);
        Assert.Equal(1500, config.ThinkTimeMs);
        Assert.Equal(3000, config.CyclePauseMs);
        Assert.Equal(1000, config.MaxHandOffsPerCycle);
        Assert.Equal(24, config.OrphanTraceTtlHours);
        Assert.Equal(30, config.ReservationTtlSec);
        Assert.True(config.ListAllUsers);
        Assert.Equal(6, config.JobListLookbackHours);
        Assert.Equal(1000, config.MaxJobGetsPerCycle);
        Assert.Equal(8, config.JobGetParallelism);
        Assert.Equal(16, config.HandOffParallelism);
        Assert.Equal(24, config.OrphanMarkerTtlHours);
        Assert.Null(config.SlackCredentials);
        Assert.Null(config.Rules);
    }

    [Fact]
    public void The_old_MaxConcurrentJobs_name_sets_the_load_limit()
    {
        var config = ConfigLoader.Parse(ConfigJson.EndToEnd, ConfigJson.ProjectEnvironment);

        Assert.Equal(100, config.MaxConcurrentLoad);
        Assert.Equal(1, config.TimeToLiveInMin);
        Assert.Equal(TimeSpan.FromSeconds(15), config.TriggerDelay);
    }

    [Fact]
    public void Both_load_limit_names_may_be_given_when_they_agree()
    {
        var config = ConfigLoader.Parse(ConfigJson.MinimalWith("MaxConcurrentLoad", "7, \"MaxConcurrentJobs\": 7"), ConfigJson.NoEnvironment);

        Assert.Equal(7, config.MaxConcurrentLoad);
    }

    [Fact]
    public void Both_load_limit_names_with_different_values_are_an_error_naming_both()
    {
        var error = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Parse(ConfigJson.MinimalWith("MaxConcurrentLoad", "150, \"MaxConcurrentJobs\": 100"), ConfigJson.NoEnvironment));

        Assert.Contains("MaxConcurrentLoad (150)", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrentJobs (100)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AsyncTaskURL")]
    [InlineData("JournalURL")]
    [InlineData("ErrorURL")]
    public void A_missing_required_url_is_an_error_naming_it(string key)
    {
        var json = ConfigJson.Minimal.Replace($"\"{key}\"", "\"SyncTaskURL\"", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, ConfigJson.NoEnvironment));

        Assert.Equal($"config: {key} is required", error.Message);
    }

    [Fact]
    public void An_empty_required_url_counts_as_missing()
    {
        var json = ConfigJson.Minimal.Replace("\"gs://ops/errors/\"", "\"\"", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, ConfigJson.NoEnvironment));

        Assert.Equal("config: ErrorURL is required", error.Message);
    }

    [Fact]
    public void A_missing_project_is_an_error_saying_how_to_set_it()
    {
        var json = ConfigJson.Minimal.Replace("\"ProjectID\": \"cfgp\", ", "", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, ConfigJson.NoEnvironment));

        Assert.Contains("ProjectID", error.Message, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_CLOUD_PROJECT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_is_an_error_naming_it_and_the_key_it_resembles()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(ConfigJson.MinimalWith("MaxConcurentSQL", "80"), ConfigJson.NoEnvironment));

        Assert.Equal("config: unknown key 'MaxConcurentSQL' (did you mean MaxConcurrentSQL?)", error.Message);
    }

    [Fact]
    public void An_unknown_key_like_no_known_one_is_named_without_a_suggestion()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(ConfigJson.MinimalWith("Colour", "\"red\""), ConfigJson.NoEnvironment));

        Assert.Equal("config: unknown key 'Colour'", error.Message);
    }

    [Fact]
    public void An_unknown_key_inside_SlackCredentials_is_named_with_its_parent()
    {
        var error = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Parse(ConfigJson.MinimalWith("SlackCredentials", "{\"Kye\": \"k\"}"), ConfigJson.NoEnvironment));

        Assert.Equal("config: unknown key 'SlackCredentials.Kye' (did you mean SlackCredentials.Key?)", error.Message);
    }

    [Fact]
    public void Keys_ignore_case_like_gos_decoder()
    {
        const string json = """
            {"projectid": "cfgp", "ASYNCTASKURL": "gs://disp/Tasks/", "journalUrl": "gs://ops/Journal/", "errorurl": "gs://ops/errors/",
             "maxconcurrentsql": 3, "maxconcurrentjobs": 4, "slackcredentials": {"url": "gs://c/s", "key": "r/k"}}
            """;

        var config = ConfigLoader.Parse(json, ConfigJson.NoEnvironment);

        Assert.Equal("cfgp", config.ProjectID);
        Assert.Equal("gs://disp/Tasks/", config.AsyncTaskURL);
        Assert.Equal(3, config.MaxConcurrentSQL);
        Assert.Equal(4, config.MaxConcurrentLoad);
        Assert.Equal(new SlackCredentials("gs://c/s", "", "r/k"), config.SlackCredentials);
    }

    [Fact]
    public void A_key_given_twice_in_different_case_is_an_error()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(ConfigJson.MinimalWith("projectId", "\"other\""), ConfigJson.NoEnvironment));

        Assert.Contains("ProjectID is given twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AsyncTaskURL", "http://disp/Tasks/")]
    [InlineData("JournalURL", "/ops/Journal/")]
    [InlineData("ErrorURL", "file://relative/errors/")]
    [InlineData("AsyncTaskURL", "gs:///Tasks/")]
    [InlineData("JournalURL", "GS://ops/Journal/")]
    [InlineData("TriggerBucket", "s3://trig")]
    [InlineData("TriggerBucket", "mem://")]
    public void Urls_must_be_gs_absolute_file_or_mem(string key, string url)
    {
        var json = key == "TriggerBucket" ? ConfigJson.MinimalWith(key, $"\"{url}\"") : ReplaceValue(key, url);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, ConfigJson.NoEnvironment));

        Assert.StartsWith($"config: {key} must be a gs://", error.Message, StringComparison.Ordinal);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gs://disp/Tasks", "gs://disp/Tasks/")]
    [InlineData("file:///var/bqdispatch/tasks", "file:///var/bqdispatch/tasks/")]
    [InlineData("mem://disp", "mem://disp/")]
    [InlineData("mem://disp/Tasks/", "mem://disp/Tasks/")]
    public void Folder_urls_are_normalised_to_end_with_a_slash(string url, string normalised)
    {
        var config = ConfigLoader.Parse(ReplaceValue("AsyncTaskURL", url), ConfigJson.NoEnvironment);

        Assert.Equal(normalised, config.AsyncTaskURL);
    }

    [Fact]
    public void Journal_defaults_follow_a_journal_url_without_a_slash()
    {
        var config = ConfigLoader.Parse(ReplaceValue("JournalURL", "gs://ops/Journal"), ConfigJson.NoEnvironment);

        Assert.Equal("gs://ops/Journal/", config.JournalURL);
        Assert.Equal("gs://ops/Journal/Running", config.ActiveLoadProcessURL);
        Assert.Equal("gs://ops/Journal/Done", config.DoneLoadProcessURL);
        Assert.Equal("gs://ops/Journal/invalid_schema", config.InvalidSchemaURL);
    }

    [Theory]
    [InlineData("MaxConcurrentSQL", "\"80\"", "must be a whole number within 0–100,000")]
    [InlineData("MaxConcurrentSQL", "1.5", "must be a whole number within 0–100,000")]
    [InlineData("MaxConcurrentSQL", "3000000000", "must be within 0–100,000, got 3000000000")]
    [InlineData("MaxConcurrentSQL", "99999999999999999999999", "must be within 0–100,000, got 99999999999999999999999")]
    [InlineData("ListAllUsers", "\"true\"", "must be true or false")]
    [InlineData("ProjectID", "42", "must be a string")]
    [InlineData("SlackCredentials", "\"gs://c/s\"", "must be a JSON object")]
    public void Values_of_the_wrong_type_are_an_error_naming_the_key(string key, string jsonValue, string problem)
    {
        var json = key == "ProjectID" ? ConfigJson.Minimal.Replace("\"cfgp\"", jsonValue, StringComparison.Ordinal) : ConfigJson.MinimalWith(key, jsonValue);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, ConfigJson.NoEnvironment));

        Assert.Equal($"config: {key} {problem}", error.Message);
    }

    [Fact]
    public void New_keys_can_be_set()
    {
        const string json = """
            {"ProjectID": "p", "AsyncTaskURL": "mem://d/T/", "JournalURL": "mem://o/J/", "ErrorURL": "mem://o/E/",
             "ThinkTimeMs": 0, "CyclePauseMs": 10, "MaxHandOffsPerCycle": 5, "OrphanTraceTtlHours": 2, "ReservationTtlSec": 45,
             "ListAllUsers": false, "JobListLookbackHours": 1, "MaxJobGetsPerCycle": 0, "JobGetParallelism": 2,
             "HandOffParallelism": 3, "OrphanMarkerTtlHours": 4}
            """;

        var config = ConfigLoader.Parse(json, ConfigJson.NoEnvironment);

        Assert.Equal(
            (0, 10, 5, 2, 45, false, 1, 0, 2, 3, 4),
            (config.ThinkTimeMs, config.CyclePauseMs, config.MaxHandOffsPerCycle, config.OrphanTraceTtlHours, config.ReservationTtlSec,
                config.ListAllUsers, config.JobListLookbackHours, config.MaxJobGetsPerCycle, config.JobGetParallelism,
                config.HandOffParallelism, config.OrphanMarkerTtlHours));
    }

    [Fact]
    public void Every_documented_bqtail_key_is_accepted()
    {
        const string json = """
            {"URL": "gs://c/config.json", "RunOnce": true, "ProjectID": "p", "Region": "EU", "AsyncTaskURL": "gs://d/T/",
             "SyncTaskURL": "gs://d/S/", "ActiveLoadProcessURL": "gs://o/R/", "DoneLoadProcessURL": "gs://o/D/",
             "JournalURL": "gs://o/J/", "TriggerBucket": "t", "LoadProcessPrefix": "/l/", "PostJobPrefix": "/j/",
             "BatchPrefix": "/b/", "BqJobInfoPath": "ji", "BqBatchInfoPath": "bi", "ErrorURL": "gs://o/E/",
             "CorruptedFileURL": "gs://o/C/", "InvalidSchemaURL": "gs://o/I/", "SlackCredentials": {"URL": "u", "Parameter": "pa", "Key": "k"},
             "MaxRetries": 9, "MaxTriggerDelayMs": 1, "TimeToLiveInMin": 2, "MaxConcurrentSQL": 3, "MaxConcurrentLoad": 4,
             "RulesURL": "gs://c/R/", "CheckInMs": 5, "Rules": [{"When": {"Dest": ".+"}}]}
            """;

        var config = ConfigLoader.Parse(json, ConfigJson.NoEnvironment);

        Assert.Equal(
            new DispatchConfig
            {
                URL = "gs://c/config.json",
                RunOnce = true,
                ProjectID = "p",
                Region = "EU",
                AsyncTaskURL = "gs://d/T/",
                SyncTaskURL = "gs://d/S/",
                ActiveLoadProcessURL = "gs://o/R/",
                DoneLoadProcessURL = "gs://o/D/",
                JournalURL = "gs://o/J/",
                TriggerBucket = "t",
                LoadProcessPrefix = "/l/",
                PostJobPrefix = "/j/",
                BatchPrefix = "/b/",
                BqJobInfoPath = "ji",
                BqBatchInfoPath = "bi",
                ErrorURL = "gs://o/E/",
                CorruptedFileURL = "gs://o/C/",
                InvalidSchemaURL = "gs://o/I/",
                SlackCredentials = new SlackCredentials("u", "pa", "k"),
                MaxRetries = 9,
                MaxTriggerDelayMs = 1,
                TimeToLiveInMin = 2,
                MaxConcurrentSQL = 3,
                MaxConcurrentLoad = 4,
                RulesURL = "gs://c/R/",
                CheckInMs = 5,
                Rules = """[{"When":{"Dest":".+"}}]""",
            },
            config);
    }

    [Theory]
    [InlineData("xx_bqtail", "gs://xx_bqtail")]
    [InlineData("gs://trig", "gs://trig")]
    [InlineData("gs://trig/", "gs://trig")]
    [InlineData("gs://trig/sub/", "gs://trig/sub")]
    [InlineData("file:///tmp/trig/", "file:///tmp/trig")]
    [InlineData("mem://trig", "mem://trig")]
    public void The_trigger_bucket_is_a_name_or_a_url_with_or_without_a_slash(string triggerBucket, string baseUrl)
    {
        var config = ConfigLoader.Parse(ConfigJson.MinimalWith("TriggerBucket", $"\"{triggerBucket}\""), ConfigJson.NoEnvironment);

        Assert.Equal(triggerBucket, config.TriggerBucket);
        Assert.Equal(baseUrl, config.TriggerBaseUrl);
    }

    [Fact]
    public void Invalid_json_is_an_error_with_line_and_position()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("{\n  \"ProjectID\": \"p\",\n  \"AsyncTaskURL\": ]\n}", ConfigJson.NoEnvironment));

        Assert.StartsWith("config: invalid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, position", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"x\"")]
    public void Json_that_is_not_an_object_is_an_error(string json)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, ConfigJson.NoEnvironment));

        Assert.Equal("config: expected a JSON object", error.Message);
    }

    [Fact]
    public void Trailing_text_after_the_object_is_invalid_json()
    {
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(ConfigJson.Minimal + " {}", ConfigJson.NoEnvironment));
    }

    private static string ReplaceValue(string key, string url)
    {
        var original = key switch
        {
            "AsyncTaskURL" => "gs://disp/BqDispatch/Tasks/",
            "JournalURL" => "gs://ops/Journal/",
            "ErrorURL" => "gs://ops/errors/",
            _ => throw new ArgumentException(key, nameof(key)),
        };
        return ConfigJson.Minimal.Replace(original, url, StringComparison.Ordinal);
    }
}
