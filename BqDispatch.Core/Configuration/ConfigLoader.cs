using System.Globalization;
using System.Text;

namespace BqDispatch.Core.Configuration;

/// <summary>
/// Reads a <see cref="DispatchConfig"/> from JSON text, a URL or a file, fills bqtail's defaults and checks it.
/// The environment is passed in so that defaults taken from it are testable.
/// </summary>
public static class ConfigLoader
{
    private static readonly string[] ProjectVariables = ["GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCP_PROJECT"];
    private static readonly string[] RegionVariables = ["FUNCTION_REGION", "GOOGLE_CLOUD_REGION"];
    private static readonly string[] UrlSchemes = ["gs://", "file://", "mem://"];

    /// <summary>
    /// Loads the CONFIG setting or the CLI's --config value: JSON text when it starts with '{', a gs://, file:// or
    /// mem:// URL read through <paramref name="readUrl"/>, else a local file path.
    /// </summary>
    /// <exception cref="ConfigException">The source cannot be read or the configuration is not valid.</exception>
    public static async Task<DispatchConfig> Load(
        string? source,
        IReadOnlyDictionary<string, string?> environment,
        Func<string, CancellationToken, Task<byte[]>> readUrl,
        CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new ConfigException("no configuration: set CONFIG or pass --config");
        }

        if (source.TrimStart().StartsWith('{'))
        {
            return Parse(source, environment);
        }

        var bytes = source.Contains("://", StringComparison.Ordinal)
            ? await ReadUrl(source, readUrl, cancellation)
            : await ReadFile(source, cancellation);
        var config = Parse(Text(bytes), environment);
        return config.URL.Length > 0 ? config : config with { URL = source };
    }

    /// <summary>Reads configuration JSON, fills defaults (some from <paramref name="environment"/>) and checks it.</summary>
    /// <exception cref="ConfigException">The JSON or a value in it is not valid, or a required key is missing.</exception>
    public static DispatchConfig Parse(string json, IReadOnlyDictionary<string, string?> environment)
    {
        var doc = ConfigDocument.Parse(json, ConfigKeys.All);
        var defaults = new DispatchConfig();

        var asyncTaskUrl = RequiredFolderUrl(doc, "AsyncTaskURL");
        var journalUrl = RequiredFolderUrl(doc, "JournalURL");
        var errorUrl = RequiredFolderUrl(doc, "ErrorURL");
        var projectId = doc.String("ProjectID") ?? FirstSet(environment, ProjectVariables)
            ?? throw new ConfigException("config: ProjectID is required: set ProjectID or GOOGLE_CLOUD_PROJECT");
        var triggerBucket = doc.String("TriggerBucket") ?? projectId.Replace('-', '_') + "_bqtail";
        if (triggerBucket.Contains("://", StringComparison.Ordinal))
        {
            CheckUrl(doc.Name("TriggerBucket"), triggerBucket);
        }

        return new DispatchConfig
        {
            URL = doc.String("URL") ?? defaults.URL,
            RunOnce = doc.Flag("RunOnce") ?? defaults.RunOnce,
            ProjectID = projectId,
            Region = doc.String("Region") ?? FirstSet(environment, RegionVariables) ?? defaults.Region,
            AsyncTaskURL = asyncTaskUrl,
            SyncTaskURL = doc.String("SyncTaskURL") ?? defaults.SyncTaskURL,
            ActiveLoadProcessURL = doc.String("ActiveLoadProcessURL") ?? journalUrl + "Running",
            DoneLoadProcessURL = doc.String("DoneLoadProcessURL") ?? journalUrl + "Done",
            JournalURL = journalUrl,
            TriggerBucket = triggerBucket,
            LoadProcessPrefix = doc.String("LoadProcessPrefix") ?? defaults.LoadProcessPrefix,
            PostJobPrefix = doc.String("PostJobPrefix") ?? defaults.PostJobPrefix,
            BatchPrefix = doc.String("BatchPrefix") ?? defaults.BatchPrefix,
            BqJobInfoPath = doc.String("BqJobInfoPath") ?? defaults.BqJobInfoPath,
            BqBatchInfoPath = doc.String("BqBatchInfoPath") ?? defaults.BqBatchInfoPath,
            ErrorURL = errorUrl,
            CorruptedFileURL = doc.String("CorruptedFileURL") ?? defaults.CorruptedFileURL,
            InvalidSchemaURL = doc.String("InvalidSchemaURL") ?? journalUrl + "invalid_schema",
            SlackCredentials = ReadSlackCredentials(doc),
            MaxRetries = doc.Count("MaxRetries") ?? defaults.MaxRetries,
            MaxTriggerDelayMs = doc.Count("MaxTriggerDelayMs") ?? defaults.MaxTriggerDelayMs,
            TimeToLiveInMin = doc.Count("TimeToLiveInMin") ?? defaults.TimeToLiveInMin,
            MaxConcurrentSQL = doc.Count("MaxConcurrentSQL") ?? defaults.MaxConcurrentSQL,
            MaxConcurrentLoad = ReadMaxConcurrentLoad(doc) ?? defaults.MaxConcurrentLoad,
            RulesURL = doc.String("RulesURL") ?? defaults.RulesURL,
            CheckInMs = doc.Count("CheckInMs") ?? defaults.CheckInMs,
            Rules = doc.RawJson("Rules"),
            ThinkTimeMs = doc.Count("ThinkTimeMs") ?? defaults.ThinkTimeMs,
            CyclePauseMs = doc.Count("CyclePauseMs") ?? defaults.CyclePauseMs,
            MaxHandOffsPerCycle = AtLeastOne(doc, "MaxHandOffsPerCycle") ?? defaults.MaxHandOffsPerCycle,
            OrphanTraceTtlHours = doc.Count("OrphanTraceTtlHours") ?? defaults.OrphanTraceTtlHours,
            ReservationTtlSec = Between(doc, "ReservationTtlSec", 1, 600) ?? defaults.ReservationTtlSec,
            ListAllUsers = doc.Flag("ListAllUsers") ?? defaults.ListAllUsers,
            JobListLookbackHours = doc.Count("JobListLookbackHours") ?? defaults.JobListLookbackHours,
            MaxJobGetsPerCycle = doc.Count("MaxJobGetsPerCycle") ?? defaults.MaxJobGetsPerCycle,
            JobGetParallelism = AtLeastOne(doc, "JobGetParallelism") ?? defaults.JobGetParallelism,
            HandOffParallelism = AtLeastOne(doc, "HandOffParallelism") ?? defaults.HandOffParallelism,
            OrphanMarkerTtlHours = doc.Count("OrphanMarkerTtlHours") ?? defaults.OrphanMarkerTtlHours,
        };
    }

    // Both names may be given only if they agree: silently preferring one would hide a stale value.
    private static int? ReadMaxConcurrentLoad(ConfigDocument doc)
    {
        var load = doc.Count(ConfigKeys.MaxConcurrentLoad);
        var jobs = doc.Count(ConfigKeys.MaxConcurrentJobs);
        if (load is not null && jobs is not null && load != jobs)
        {
            throw new ConfigException(
                $"config: {ConfigKeys.MaxConcurrentLoad} ({Number(load.Value)}) and its old name {ConfigKeys.MaxConcurrentJobs} ({Number(jobs.Value)}) disagree; keep only {ConfigKeys.MaxConcurrentLoad}");
        }

        return load ?? jobs;
    }

    private static SlackCredentials? ReadSlackCredentials(ConfigDocument doc)
    {
        var slack = doc.Object(ConfigKeys.SlackCredentials, ConfigKeys.SlackCredentialsKeys);
        return slack is null ? null : new SlackCredentials(slack.String("URL") ?? "", slack.String("Parameter") ?? "", slack.String("Key") ?? "");
    }

    // Parallelism and per-cycle caps of 0 would make the dispatcher do nothing forever.
    private static int? AtLeastOne(ConfigDocument doc, string key) => doc.Count(key) switch
    {
        0 => throw new ConfigException($"config: {key} must be at least 1"),
        var count => count,
    };

    private static int? Between(ConfigDocument doc, string key, int min, int max) => doc.Count(key) switch
    {
        { } count when count < min || count > max =>
            throw new ConfigException($"config: {key} must be between {Number(min)} and {Number(max)}, got {Number(count)}"),
        var count => count,
    };

    private static string RequiredFolderUrl(ConfigDocument doc, string key)
    {
        var url = doc.String(key) ?? throw new ConfigException($"config: {key} is required");
        CheckUrl(key, url);
        return url.EndsWith('/') ? url : url + "/";
    }

    // Every backend the dispatcher has: Cloud Storage, a local directory, and the in-process store of tests.
    private static void CheckUrl(string key, string url)
    {
        var scheme = UrlSchemes.FirstOrDefault(s => url.StartsWith(s, StringComparison.Ordinal));
        var rest = scheme is null ? "" : url[scheme.Length..];
        var valid = scheme switch
        {
            "file://" => rest.StartsWith('/'),
            null => false,
            _ => rest.Length > 0 && !rest.StartsWith('/'),
        };
        if (!valid)
        {
            throw new ConfigException($"config: {key} must be a gs://bucket/, file:///absolute/path/ or mem://name/ URL, got '{url}'");
        }
    }

    private static async Task<byte[]> ReadUrl(string url, Func<string, CancellationToken, Task<byte[]>> readUrl, CancellationToken cancellation)
    {
        if (!UrlSchemes.Any(scheme => url.StartsWith(scheme, StringComparison.Ordinal)))
        {
            throw new ConfigException($"config: unsupported URL '{url}': use gs://, file:// or mem://");
        }

        try
        {
            return await readUrl(url, cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException and not ConfigException)
        {
            throw new ConfigException($"cannot read config {url}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static async Task<byte[]> ReadFile(string path, CancellationToken cancellation)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellation);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"config file not found: {path}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read config file {path}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    // UTF-8, with or without a byte-order mark.
    private static string Text(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static string? FirstSet(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> names) =>
        names.Select(name => environment.GetValueOrDefault(name)).FirstOrDefault(value => !string.IsNullOrEmpty(value));

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
