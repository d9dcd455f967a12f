using System.Text.Json;
using System.Text.Json.Nodes;

namespace BqDispatch.Core.Google;

/// <summary>
/// Keyless access to Google from an Azure managed identity (Workload Identity Federation, an
/// <c>external_account</c> credential whose subject token is an Entra ID token of the managed identity).
/// </summary>
/// <remarks>
/// <para>
/// <c>gcloud iam workload-identity-pools create-cred-config … --azure</c> writes a URL-sourced configuration that
/// fetches the Entra token from the VM metadata endpoint (<c>http://169.254.169.254/metadata/identity/oauth2/token</c>
/// with the header <c>Metadata: True</c>). App Service and Azure Functions do not serve tokens there: they expose
/// <c>IDENTITY_ENDPOINT</c> and require the header <c>X-IDENTITY-HEADER: &lt;IDENTITY_HEADER&gt;</c>, a secret the
/// platform sets in the environment and rotates.
/// </para>
/// <para>
/// Google.Apis.Auth 1.78 sends the <c>credential_source.headers</c> of the configuration literally
/// (<c>UrlSourcedExternalAccountCredential.Headers</c> is a fixed dictionary; nothing is read from the environment),
/// so a static file cannot carry that header. The smallest correct answer is to write the configuration at start-up,
/// from the environment of the running process: <see cref="CredentialConfig"/> builds it from parts, and
/// <see cref="AdaptToAppService"/> turns a gcloud-generated <c>--azure</c> configuration into the App Service form when
/// <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> are set. The result is only ever held in memory and handed to
/// <c>CredentialFactory</c>; the library then does the whole exchange (managed identity token → STS → optional service
/// account impersonation) and refreshes it. See docs/google-credentials.md.
/// </para>
/// </remarks>
public static class AzureWorkloadIdentity
{
    /// <summary>Set by App Service / Azure Functions when a managed identity is assigned.</summary>
    public const string IdentityEndpointVariable = "IDENTITY_ENDPOINT";

    /// <summary>Secret set by App Service / Azure Functions, to send as <see cref="IdentityHeaderName"/>.</summary>
    public const string IdentityHeaderVariable = "IDENTITY_HEADER";

    public const string IdentityHeaderName = "X-IDENTITY-HEADER";

    /// <summary>The App Service managed identity protocol version.</summary>
    public const string ApiVersion = "2019-08-01";

    public const string DefaultTokenUrl = "https://sts.googleapis.com/v1/token";

    public const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

    private const string ImdsHost = "169.254.169.254";

    /// <summary>
    /// The <c>external_account</c> configuration (JSON text) for this process's App Service / Functions managed identity:
    /// the subject token is fetched from <c>IDENTITY_ENDPOINT?resource=&lt;resource&gt;&amp;api-version=2019-08-01</c>
    /// with <c>X-IDENTITY-HEADER</c>, and exchanged at <paramref name="tokenUrl"/> for <paramref name="audience"/>.
    /// </summary>
    /// <param name="environment">Must hold IDENTITY_ENDPOINT and IDENTITY_HEADER.</param>
    /// <param name="audience">The workload identity provider:
    /// <c>//iam.googleapis.com/projects/&lt;number&gt;/locations/global/workloadIdentityPools/&lt;pool&gt;/providers/&lt;provider&gt;</c>.</param>
    /// <param name="serviceAccountImpersonationUrl">Optional; <see cref="ImpersonationUrl"/> of the service account to act as.
    /// Without it the federated token is used directly.</param>
    /// <param name="resource">The Entra application ID URI the token is requested for (the provider's allowed audience);
    /// by default <c>https://iam.googleapis.com/</c> followed by the provider path, as gcloud does without <c>--app-id-uri</c>.</param>
    /// <param name="clientId">Client id of a user-assigned managed identity; null for the system-assigned one.</param>
    /// <param name="tokenUrl">The STS token endpoint.</param>
    public static string CredentialConfig(
        IReadOnlyDictionary<string, string?> environment,
        string audience,
        string? serviceAccountImpersonationUrl = null,
        string? resource = null,
        string? clientId = null,
        string tokenUrl = DefaultTokenUrl)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenUrl);
        var (endpoint, header) = ManagedIdentityEndpoint(environment)
            ?? throw new GoogleAccessException(
                $"{IdentityEndpointVariable} and {IdentityHeaderVariable} are not both set: assign a managed identity to the app " +
                "(they are set by App Service / Azure Functions)");
        var query = new List<KeyValuePair<string, string>> { new("resource", resource ?? DefaultResource(audience)) };
        if (!string.IsNullOrWhiteSpace(clientId))
        {
            query.Add(new("client_id", clientId));
        }

        var config = new JsonObject
        {
            ["type"] = "external_account",
            ["audience"] = audience,
            ["subject_token_type"] = JwtTokenType,
            ["token_url"] = tokenUrl,
            ["credential_source"] = CredentialSource(endpoint, header, query, format: null),
        };
        if (!string.IsNullOrWhiteSpace(serviceAccountImpersonationUrl))
        {
            config["service_account_impersonation_url"] = serviceAccountImpersonationUrl;
        }

        return config.ToJsonString();
    }

    /// <summary>The IAM credentials URL that mints tokens for <paramref name="serviceAccountEmail"/>.</summary>
    public static string ImpersonationUrl(string serviceAccountEmail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceAccountEmail);
        return "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
            + Uri.EscapeDataString(serviceAccountEmail) + ":generateAccessToken";
    }

    /// <summary>
    /// When <paramref name="credentialJson"/> is an <c>external_account</c> configuration whose subject token comes from
    /// the Azure VM metadata endpoint (what <c>gcloud … create-cred-config --azure</c> writes) and
    /// <paramref name="environment"/> has IDENTITY_ENDPOINT and IDENTITY_HEADER, returns the same configuration with
    /// <c>credential_source</c> pointing at IDENTITY_ENDPOINT (same <c>resource</c> and <c>client_id</c>,
    /// <c>api-version=2019-08-01</c>, header <c>X-IDENTITY-HEADER</c>). Otherwise returns the input unchanged.
    /// </summary>
    public static string AdaptToAppService(string credentialJson, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(credentialJson);
        ArgumentNullException.ThrowIfNull(environment);
        if (ManagedIdentityEndpoint(environment) is not { } identity)
        {
            return credentialJson;
        }

        JsonObject? config;
        try
        {
            config = JsonNode.Parse(credentialJson) as JsonObject;
        }
        catch (JsonException)
        {
            return credentialJson;
        }

        if (config is null
            || StringField(config, "type") != "external_account"
            || config["credential_source"] is not JsonObject source
            || StringField(source, "url") is not { } url
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Host != ImdsHost
            || !uri.AbsolutePath.StartsWith("/metadata/identity/oauth2/token", StringComparison.OrdinalIgnoreCase))
        {
            return credentialJson;
        }

        var query = ParseQuery(uri.Query)
            .Where(pair => !pair.Key.Equals("api-version", StringComparison.OrdinalIgnoreCase))
            .ToList();
        config["credential_source"] = CredentialSource(identity.Endpoint, identity.Header, query, source["format"]?.DeepClone());
        return config.ToJsonString();
    }

    /// <summary>True when the environment has what the App Service / Functions managed identity endpoint needs.</summary>
    public static bool IsAvailable(IReadOnlyDictionary<string, string?> environment) =>
        ManagedIdentityEndpoint(environment) is not null;

    private static (string Endpoint, string Header)? ManagedIdentityEndpoint(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = environment.GetValueOrDefault(IdentityEndpointVariable);
        var header = environment.GetValueOrDefault(IdentityHeaderVariable);
        return string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrWhiteSpace(header)
            ? null
            : (endpoint.Trim(), header.Trim());
    }

    private static JsonObject CredentialSource(
        string endpoint, string header, IEnumerable<KeyValuePair<string, string>> query, JsonNode? format)
    {
        var pairs = query.Append(new("api-version", ApiVersion))
            .Select(pair => Uri.EscapeDataString(pair.Key) + "=" + Uri.EscapeDataString(pair.Value));
        var separator = endpoint.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return new JsonObject
        {
            ["url"] = endpoint + separator + string.Join("&", pairs),
            ["headers"] = new JsonObject { [IdentityHeaderName] = header },
            ["format"] = format ?? new JsonObject { ["type"] = "json", ["subject_token_field_name"] = "access_token" },
        };
    }

    private static string DefaultResource(string audience) =>
        audience.StartsWith("//", StringComparison.Ordinal) ? "https:" + audience : audience;

    private static List<KeyValuePair<string, string>> ParseQuery(string query) =>
        query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(
                Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : ""))
            .ToList();

    private static string? StringField(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
