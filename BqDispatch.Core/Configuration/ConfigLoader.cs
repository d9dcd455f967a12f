using System.Globalization;
using System.Text;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

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

    /// <summary>Most a configuration source may hold: 10 MiB (a real one is a few hundred bytes).</summary>
    public const int MaxBytes = 10 * 1024 * 1024;

    /// <summary>
    /// Loads the CONFIG setting or the CLI's --config value: JSON text when it starts with '{', a gs:// or mem:// URL
    /// read through <paramref name="readUrl"/>, else a local file (a path, or a file:// URL). A source over
    /// <see cref="MaxBytes"/> is refused, and so is a local file that is empty or not a regular file (a device such as
    /// /dev/zero, a FIFO, a socket), which could otherwise block the read or never end it.
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
            return source.Length > MaxBytes ? throw TooLarge("the configuration text", source.Length) : Parse(source, environment);
        }

        var bytes = source.StartsWith("file://", StringComparison.Ordinal) ? await ReadFile(LocalPath(source), source, cancellation)
            : source.Contains("://", StringComparison.Ordinal) ? await ReadUrl(source, readUrl, cancellation)
            : await ReadFile(source, source, cancellation);
        if (bytes.Length > MaxBytes)
        {
            throw TooLarge(source, bytes.Length);
        }

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
        if (!ProjectId.IsValid(projectId))
        {
            throw new ConfigException($"config: ProjectID '{projectId}' cannot be a BigQuery project id ({ProjectId.Rule})");
        }

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
            MaxRetries = Count(doc, "MaxRetries") ?? defaults.MaxRetries,
            MaxTriggerDelayMs = Count(doc, "MaxTriggerDelayMs") ?? defaults.MaxTriggerDelayMs,
            TimeToLiveInMin = Count(doc, "TimeToLiveInMin") ?? defaults.TimeToLiveInMin,
            MaxConcurrentSQL = Count(doc, "MaxConcurrentSQL") ?? defaults.MaxConcurrentSQL,
            MaxConcurrentLoad = ReadMaxConcurrentLoad(doc) ?? defaults.MaxConcurrentLoad,
            RulesURL = OptionalFolderUrl(doc, "RulesURL") ?? defaults.RulesURL,
            CheckInMs = Count(doc, "CheckInMs") ?? defaults.CheckInMs,
            Rules = RoutesReader.Rules(doc),
            ThinkTimeMs = Count(doc, "ThinkTimeMs") ?? defaults.ThinkTimeMs,
            CyclePauseMs = Count(doc, "CyclePauseMs") ?? defaults.CyclePauseMs,
            MaxHandOffsPerCycle = Count(doc, "MaxHandOffsPerCycle") ?? defaults.MaxHandOffsPerCycle,
            OrphanTraceTtlHours = Count(doc, "OrphanTraceTtlHours") ?? defaults.OrphanTraceTtlHours,
            ReservationTtlSec = Count(doc, "ReservationTtlSec") ?? defaults.ReservationTtlSec,
            ListAllUsers = doc.Flag("ListAllUsers") ?? defaults.ListAllUsers,
            JobListLookbackHours = Count(doc, "JobListLookbackHours") ?? defaults.JobListLookbackHours,
            MaxJobGetsPerCycle = Count(doc, "MaxJobGetsPerCycle") ?? defaults.MaxJobGetsPerCycle,
            JobGetParallelism = Count(doc, "JobGetParallelism") ?? defaults.JobGetParallelism,
            HandOffParallelism = Count(doc, "HandOffParallelism") ?? defaults.HandOffParallelism,
            OrphanMarkerTtlHours = Count(doc, "OrphanMarkerTtlHours") ?? defaults.OrphanMarkerTtlHours,
            Lanes = LanesReader.Read(doc),
            EventSubscription = EventSubscription(doc),
            EventAudience = PushSetting(doc, environment, "EventAudience", "EventServiceAccount"),
            EventServiceAccount = ServiceAccount(doc, PushSetting(doc, environment, "EventServiceAccount", "EventAudience")),
            EventKeysURL = KeysUrl(doc),
            EventSweepPauseMs = Count(doc, "EventSweepPauseMs") ?? defaults.EventSweepPauseMs,
            RouteProjects = RoutesReader.Projects(doc),
            RouteLookbackMin = Count(doc, "RouteLookbackMin") ?? defaults.RouteLookbackMin,
        };
    }

    private static string? EventSubscription(ConfigDocument doc)
    {
        var subscription = doc.String("EventSubscription");
        var parts = subscription?.Split('/');
        return subscription is null || (parts!.Length == 4 && parts[0] == "projects" && parts[2] == "subscriptions"
            && parts[1].Length > 0 && parts[3].Length > 0)
            ? subscription
            : throw new ConfigException($"config: {doc.Name("EventSubscription")} must be projects/<project>/subscriptions/<subscription>, got '{subscription}'");
    }

    // Push needs both: the audience the tokens are for and the account that signs them. The deployment may set them as
    // app settings (EVENT_AUDIENCE, EVENT_SERVICE_ACCOUNT) instead; the configuration's own values win.
    private static string? PushSetting(ConfigDocument doc, IReadOnlyDictionary<string, string?> environment, string key, string partner) =>
        (PushValue(doc, environment, key), PushValue(doc, environment, partner)) switch
        {
            ({ } value, not null) => value,
            (null, null) => null,
            (var value, _) => throw new ConfigException(
                $"config: EventAudience and EventServiceAccount go together (push events need both); {(value is null ? key : partner)} is missing"),
        };

    private static string? PushValue(ConfigDocument doc, IReadOnlyDictionary<string, string?> environment, string key) =>
        doc.String(key) ?? FirstSet(environment, [key == "EventAudience" ? "EVENT_AUDIENCE" : "EVENT_SERVICE_ACCOUNT"]);

    private static string? ServiceAccount(ConfigDocument doc, string? email) =>
        email is null || (email.Contains('@', StringComparison.Ordinal) && !email.Any(char.IsWhiteSpace))
            ? email
            : throw new ConfigException($"config: {doc.Name("EventServiceAccount")} must be a service account's email, got '{email}'");

    private static string? KeysUrl(ConfigDocument doc) =>
        doc.String("EventKeysURL") is not { } url
            || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            ? doc.String("EventKeysURL")
            : throw new ConfigException($"config: {doc.Name("EventKeysURL")} must be an http(s) URL of a JWKS, got '{doc.String("EventKeysURL")}'");

    // Both names may be given only if they agree: silently preferring one would hide a stale value.
    private static int? ReadMaxConcurrentLoad(ConfigDocument doc)
    {
        var load = Count(doc, ConfigKeys.MaxConcurrentLoad);
        var jobs = Count(doc, ConfigKeys.MaxConcurrentJobs);
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

    private static int? Count(ConfigDocument doc, string key) => doc.Count(key, ConfigRange.ByKey[key]);

    private static string RequiredFolderUrl(ConfigDocument doc, string key)
    {
        var url = doc.String(key) ?? throw new ConfigException($"config: {key} is required");
        CheckUrl(key, url);
        return url.EndsWith('/') ? url : url + "/";
    }

    private static string? OptionalFolderUrl(ConfigDocument doc, string key) =>
        string.IsNullOrEmpty(doc.String(key)) ? null : RequiredFolderUrl(doc, key);

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

    private static string LocalPath(string url) =>
        StorageUrl.TryParse(url, out var parsed) && !parsed.IsFolder
            ? parsed.LocalPath
            : throw new ConfigException($"config: '{url}' is not a file:///absolute/path URL of a file");

    private static async Task<byte[]> ReadFile(string path, string source, CancellationToken cancellation)
    {
        try
        {
            if (Directory.Exists(path))
            {
                throw new ConfigException($"config {source} is a directory, not a file");
            }

            var file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new ConfigException($"config file not found: {source}");
            }

            // A device, FIFO or socket reports no size; reading one could block, or never end (/dev/zero).
            if (file.Length == 0)
            {
                throw new ConfigException($"config file {source} is empty or not a regular file (devices, FIFOs and sockets are refused)");
            }

            if (file.Length > MaxBytes)
            {
                throw TooLarge(source, file.Length);
            }

            await using var stream = file.OpenRead();
            return await ReadAtMost(stream, source, cancellation);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"config file not found: {source}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read config file {source}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    // The file may have grown since its size was checked: never read more than the cap allows.
    private static async Task<byte[]> ReadAtMost(Stream stream, string source, CancellationToken cancellation)
    {
        using var content = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellation)) > 0)
        {
            content.Write(chunk, 0, read);
            if (content.Length > MaxBytes)
            {
                throw TooLarge(source, content.Length);
            }
        }

        return content.ToArray();
    }

    private static ConfigException TooLarge(string source, long size) => new(
        $"config: {source} holds {size.ToString("N0", CultureInfo.InvariantCulture)} bytes or more; a configuration may hold at most {MaxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes (10 MiB)");

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
