namespace BqDispatch.Tests.Configuration;

/// <summary>Configuration documents the tests start from.</summary>
internal static class ConfigJson
{
    /// <summary>Reference §3.5, the deployment config, with its ${…} variables filled in.</summary>
    public const string Deployment = """
        {
          "AsyncTaskURL": "gs://xx_bqdispatch/BqDispatch/Tasks/",
          "ErrorURL": "gs://xx_operation/BqDispatch/errors/",
          "JournalURL": "gs://xx_operation/BqTail/Journal/",
          "RulesURL": "gs://xx_config/BqDispatch/Rules/",
          "CorruptedFileURL": "gs://xx_operation/BqTail/Corrupted/",
          "TriggerBucket": "xx_bqtail",
          "CheckInMs": 15000,
          "SlackCredentials": {"URL": "gs://xx_config/Secrets/slack.json.enc", "Key": "xx_ring/xx_key"},
          "MaxConcurrentSQL": 80,
          "MaxConcurrentLoad": 150
        }
        """;

    /// <summary>bqtail's e2e/config/bqdispatch.json shape: the pre-2020 MaxConcurrentJobs name, TTL 1, 15 s trigger delay.</summary>
    public const string EndToEnd = """
        {
          "AsyncTaskURL": "gs://xx_bqdispatch/BqDispatch/Tasks/",
          "ErrorURL": "gs://xx_operation/BqDispatch/errors/",
          "JournalURL": "gs://xx_operation/BqTail/Journal/",
          "TriggerBucket": "xx_bqtail",
          "MaxConcurrentJobs": 100,
          "TimeToLiveInMin": 1,
          "MaxTriggerDelayMs": 15000
        }
        """;

    /// <summary>Only the required keys, ProjectID included.</summary>
    public const string Minimal = """
        {"ProjectID": "cfgp", "AsyncTaskURL": "gs://disp/BqDispatch/Tasks/", "JournalURL": "gs://ops/Journal/", "ErrorURL": "gs://ops/errors/"}
        """;

    public static readonly IReadOnlyDictionary<string, string?> ProjectEnvironment =
        new Dictionary<string, string?> { ["GOOGLE_CLOUD_PROJECT"] = "xx-e2e" };

    public static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    /// <summary><see cref="Minimal"/> with one more key.</summary>
    public static string MinimalWith(string key, string jsonValue) =>
        Minimal.TrimEnd().TrimEnd('}') + $", \"{key}\": {jsonValue}}}";
}
