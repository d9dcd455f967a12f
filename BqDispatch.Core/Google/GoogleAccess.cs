using System.Text.Json;
using Google.Apis.Auth.OAuth2;

namespace BqDispatch.Core.Google;

/// <summary>The Google APIs the dispatcher calls.</summary>
public enum GoogleApi
{
    BigQuery,
    Storage,
}

/// <summary>Seams of <see cref="GoogleAccess"/> for tests; the defaults are the real file system and ADC.</summary>
public sealed class GoogleAccessOptions
{
    /// <summary>Reads the file GOOGLE_APPLICATION_CREDENTIALS names; <see cref="File.ReadAllText(string)"/> by default.</summary>
    public Func<string, string>? ReadFile { get; init; }

    /// <summary>Application Default Credentials; <see cref="GoogleCredential.GetApplicationDefaultAsync(CancellationToken)"/> by default.</summary>
    public Func<CancellationToken, Task<GoogleCredential>>? ApplicationDefault { get; init; }

    /// <summary>OAuth scopes requested; <see cref="GoogleAccess.DefaultScopes"/> by default.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }
}

/// <summary>How the calls to one Google API are authenticated, for the storage and the BigQuery client together.</summary>
public sealed record GoogleAccessSet(GoogleAccess Storage, GoogleAccess BigQuery);

/// <summary>
/// How calls to one Google API are authenticated: with a credential (a bearer token on every call, see
/// <see cref="GoogleAuthHandler"/>) or not at all (an emulator). Decided from the environment, in this order:
/// <list type="number">
/// <item>the API's emulator variable (<c>STORAGE_EMULATOR_HOST</c>, <c>BIGQUERY_EMULATOR_HOST</c>) set: unauthenticated;</item>
/// <item><c>GOOGLE_CREDENTIALS_JSON</c>: the JSON text of a credential (service_account, authorized_user,
/// external_account, impersonated_service_account, external_account_authorized_user), loaded with
/// <c>CredentialFactory</c>;</item>
/// <item><c>GOOGLE_APPLICATION_CREDENTIALS</c>: the path of such a JSON file, read and loaded the same way;</item>
/// <item>otherwise Application Default Credentials (the gcloud user credentials file, then the metadata server).</item>
/// </list>
/// An <c>external_account</c> configuration written by <c>gcloud … create-cred-config --azure</c> is adapted to the
/// App Service / Functions managed identity endpoint when IDENTITY_ENDPOINT and IDENTITY_HEADER are set
/// (<see cref="AzureWorkloadIdentity.AdaptToAppService"/>).
/// </summary>
/// <remarks>
/// Scope: <c>cloud-platform</c>, not the narrower <c>bigquery</c> + <c>devstorage.read_write</c> pair. IAM roles are
/// what limit the dispatcher; the narrower pair would not hold for user credentials from
/// <c>gcloud auth application-default login</c> (minted with cloud-platform, the library cannot rescope them) nor for
/// the metadata server (scopes fixed on the VM), so one scope behaves the same for every credential type, and one
/// token (one cache) serves both APIs. <see cref="GoogleAccessOptions.Scopes"/> can narrow it.
/// </remarks>
public sealed class GoogleAccess
{
    public const string CredentialsJsonVariable = "GOOGLE_CREDENTIALS_JSON";
    public const string ApplicationCredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";
    public const string StorageEmulatorHostVariable = "STORAGE_EMULATOR_HOST";
    public const string BigQueryEmulatorHostVariable = "BIGQUERY_EMULATOR_HOST";
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    public static readonly IReadOnlyList<string> DefaultScopes = [CloudPlatformScope];

    private static readonly Dictionary<string, string[]> RequiredFields = new(StringComparer.Ordinal)
    {
        [JsonCredentialParameters.ServiceAccountCredentialType] = ["client_email", "private_key"],
        [JsonCredentialParameters.AuthorizedUserCredentialType] = ["client_id", "client_secret", "refresh_token"],
        [JsonCredentialParameters.ExternalAccountCredentialType] = ["audience", "subject_token_type", "credential_source"],
        [JsonCredentialParameters.ImpersonatedServiceAccountCredentialType] = ["service_account_impersonation_url", "source_credential"],
        [JsonCredentialParameters.ExternalAccountAuthorizedUserCredentialType] = ["refresh_token", "token_url"],
    };

    private GoogleAccess(ITokenAccess? credential, string description)
    {
        Credential = credential;
        Description = description;
    }

    /// <summary>The token source; null when calls are unauthenticated.</summary>
    public ITokenAccess? Credential { get; }

    public bool IsAuthenticated => Credential is not null;

    /// <summary>Where the access comes from, for logs (never secret material).</summary>
    public string Description { get; }

    /// <summary>Calls carry no Authorization header.</summary>
    public static GoogleAccess Unauthenticated(string description) => new(null, description);

    /// <summary>Calls carry a bearer token from <paramref name="credential"/>.</summary>
    public static GoogleAccess WithCredential(ITokenAccess credential, string description)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new GoogleAccess(credential, description);
    }

    public static Task<GoogleAccess> ForStorage(
        IReadOnlyDictionary<string, string?> environment, GoogleAccessOptions? options = null, CancellationToken cancellation = default) =>
        For(GoogleApi.Storage, environment, options, cancellation);

    public static Task<GoogleAccess> ForBigQuery(
        IReadOnlyDictionary<string, string?> environment, GoogleAccessOptions? options = null, CancellationToken cancellation = default) =>
        For(GoogleApi.BigQuery, environment, options, cancellation);

    /// <summary>The access of one API. Throws <see cref="GoogleAccessException"/> when credentials are needed and unusable.</summary>
    public static async Task<GoogleAccess> For(
        GoogleApi api, IReadOnlyDictionary<string, string?> environment, GoogleAccessOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Emulated(api, environment) ?? await Load(environment, options, cancellation);
    }

    /// <summary>
    /// The access of both APIs; the credential is loaded once (and only if an API is not emulated), so both share one
    /// token cache.
    /// </summary>
    public static async Task<GoogleAccessSet> ForStorageAndBigQuery(
        IReadOnlyDictionary<string, string?> environment, GoogleAccessOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var storage = Emulated(GoogleApi.Storage, environment);
        var bigQuery = Emulated(GoogleApi.BigQuery, environment);
        if (storage is null || bigQuery is null)
        {
            var loaded = await Load(environment, options, cancellation);
            storage ??= loaded;
            bigQuery ??= loaded;
        }

        return new GoogleAccessSet(storage, bigQuery);
    }

    public override string ToString() => Description;

    private static GoogleAccess? Emulated(GoogleApi api, IReadOnlyDictionary<string, string?> environment)
    {
        var (variable, name) = api switch
        {
            GoogleApi.Storage => (StorageEmulatorHostVariable, "Cloud Storage"),
            GoogleApi.BigQuery => (BigQueryEmulatorHostVariable, "BigQuery"),
            _ => throw new ArgumentOutOfRangeException(nameof(api), api, null),
        };
        return string.IsNullOrWhiteSpace(environment.GetValueOrDefault(variable))
            ? null
            : Unauthenticated($"{name} calls are unauthenticated ({variable} is set)");
    }

    private static async Task<GoogleAccess> Load(
        IReadOnlyDictionary<string, string?> environment, GoogleAccessOptions? options, CancellationToken cancellation)
    {
        var scopes = options?.Scopes ?? DefaultScopes;
        var json = environment.GetValueOrDefault(CredentialsJsonVariable);
        if (!string.IsNullOrWhiteSpace(json))
        {
            return FromJson(json, CredentialsJsonVariable, environment, scopes);
        }

        var path = environment.GetValueOrDefault(ApplicationCredentialsVariable);
        if (!string.IsNullOrWhiteSpace(path))
        {
            string text;
            try
            {
                text = (options?.ReadFile ?? File.ReadAllText)(path.Trim());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new GoogleAccessException(
                    $"{ApplicationCredentialsVariable}: cannot read '{path.Trim()}' ({e.GetType().Name}); set it to the path of a credential JSON file");
            }

            return FromJson(text, ApplicationCredentialsVariable, environment, scopes);
        }

        GoogleCredential adc;
        try
        {
            adc = await (options?.ApplicationDefault ?? GoogleCredential.GetApplicationDefaultAsync)(cancellation);
        }
        catch (InvalidOperationException)
        {
            // The library's message can quote a broken well-known file's parse error; it is not repeated here.
            throw new GoogleAccessException(
                $"no Google credentials: set {CredentialsJsonVariable} (credential JSON text) or {ApplicationCredentialsVariable} " +
                "(path of a credential JSON file), or run where Application Default Credentials exist " +
                $"(gcloud auth application-default login, or a metadata server); emulators need {BigQueryEmulatorHostVariable} / " +
                $"{StorageEmulatorHostVariable}");
        }

        return WithCredential(adc.CreateScoped(scopes), "Application Default Credentials");
    }

    private static GoogleAccess FromJson(
        string json, string variable, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> scopes)
    {
        var type = CheckShape(json, variable);
        var adapted = type == JsonCredentialParameters.ExternalAccountCredentialType
            ? AzureWorkloadIdentity.AdaptToAppService(json, environment)
            : json;
        GoogleCredential credential;
        try
        {
            credential = CredentialFactory.FromJson(adapted, type);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The library's messages may quote field values; only the exception type is reported.
            throw new GoogleAccessException(
                $"{variable}: the {type} credential could not be loaded ({e.GetType().Name}); check its fields");
        }

        var via = ReferenceEquals(adapted, json) ? "" : " via the App Service managed identity endpoint";
        return WithCredential(credential.CreateScoped(scopes), $"{type} credential from {variable}{via}");
    }

    /// <summary>Checks the JSON without quoting any of it; returns the credential type.</summary>
    private static string CheckShape(string json, string variable)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new GoogleAccessException(
                $"{variable} is not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}); " +
                "it must hold a credential JSON object");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new GoogleAccessException($"{variable} must hold a credential JSON object, not a {root.ValueKind}");
            }

            var supported = string.Join(", ", RequiredFields.Keys);
            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                throw new GoogleAccessException($"{variable}: the credential JSON has no \"type\" (one of {supported})");
            }

            var type = typeElement.GetString() ?? "";
            if (!RequiredFields.TryGetValue(type, out var required))
            {
                throw new GoogleAccessException(
                    $"{variable}: unsupported credential type '{Shorten(type)}' (one of {supported})");
            }

            var missing = required.Where(name => !root.TryGetProperty(name, out var field)
                || field.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
                || (field.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(field.GetString()))).ToList();
            if (missing.Count > 0)
            {
                throw new GoogleAccessException(
                    $"{variable}: the {type} credential lacks {string.Join(", ", missing.Select(name => $"\"{name}\""))}");
            }

            return type;
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
