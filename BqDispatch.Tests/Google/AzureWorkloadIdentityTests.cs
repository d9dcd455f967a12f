using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BqDispatch.Core.Google;
using Xunit;

namespace BqDispatch.Tests.Google;

/// <summary>
/// Azure managed identity → Google, the whole keyless chain against local fakes: the App Service / Functions identity
/// endpoint, Google STS, IAM credentials (impersonation) and an API.
/// </summary>
public sealed class AzureWorkloadIdentityTests
{
    private const string IdentityHeader = "identity-header-secret-4711";
    private const string AzureToken = "azure-mi-jwt.eyJhdWQiOiJhcGk6Ly9icWRpc3BhdGNoIn0.sig";
    private const string StsToken = "google-sts-federated-token";
    private const string ServiceAccountToken = "google-sa-access-token";
    private const string AppIdUri = "api://bqdispatch-wif";
    private const string Audience =
        "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/azure-pool/providers/azure-provider";

    private const string MsiPath = "/msi/token";
    private const string StsPath = "/v1/token";
    private const string IamPath = "/v1/projects/-/serviceAccounts/dispatcher@proj.iam.gserviceaccount.com:generateAccessToken";
    private const string ApiPath = "/bigquery/v2/projects/proj/jobs";

    [Fact]
    public async Task GcloudAzureConfigIsAdaptedToTheFunctionsIdentityEndpointAndImpersonatesTheServiceAccount()
    {
        await using var fake = await StartFakes(resource: AppIdUri, expectedStsScope: "https://www.googleapis.com/auth/iam");
        // What `gcloud iam workload-identity-pools create-cred-config … --azure --app-id-uri … --service-account …`
        // writes (VM metadata endpoint), with the Google URLs pointed at the fakes.
        var gcloudConfig = new JsonObject
        {
            ["universe_domain"] = "googleapis.com",
            ["type"] = "external_account",
            ["audience"] = Audience,
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
            ["token_url"] = fake.Url(StsPath),
            ["credential_source"] = new JsonObject
            {
                ["url"] = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + AppIdUri,
                ["headers"] = new JsonObject { ["Metadata"] = "True" },
                ["format"] = new JsonObject { ["type"] = "json", ["subject_token_field_name"] = "access_token" },
            },
            ["service_account_impersonation_url"] = fake.Url(IamPath),
        }.ToJsonString();
        var environment = Environment(fake, ("GOOGLE_CREDENTIALS_JSON", gcloudConfig));

        var access = await GoogleAccess.ForBigQuery(environment, Options());
        Assert.True(access.IsAuthenticated);
        Assert.Contains("managed identity endpoint", access.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(IdentityHeader, access.Description, StringComparison.Ordinal);

        using var http = GoogleHttp.CreateClient(access);
        using (var response = await http.GetAsync(fake.Url(ApiPath)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // 1. The identity endpoint: secret header, the app ID URI as resource, the App Service protocol version.
        var msi = Assert.Single(fake.At(MsiPath));
        Assert.Equal("GET", msi.Method);
        Assert.Equal(IdentityHeader, msi.Header("X-IDENTITY-HEADER"));
        Assert.Null(msi.Header("Metadata"));
        Assert.Equal(AppIdUri, msi.Query["resource"]);
        Assert.Equal("2019-08-01", msi.Query["api-version"]);

        // 2. STS: token exchange of the Azure token for the pool's audience.
        var sts = Assert.Single(fake.At(StsPath)).Form();
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", sts["grant_type"]);
        Assert.Equal(AzureToken, sts["subject_token"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", sts["subject_token_type"]);
        Assert.Equal(Audience, sts["audience"]);
        Assert.Equal("https://www.googleapis.com/auth/iam", sts["scope"]);

        // 3. IAM credentials: the STS token mints a service account token with the dispatcher's scope.
        var iam = Assert.Single(fake.At(IamPath));
        Assert.Equal("Bearer " + StsToken, iam.Authorization);
        var scopes = JsonNode.Parse(iam.Body)!["scope"]!.AsArray().Select(s => s!.GetValue<string>());
        Assert.Equal(new[] { "https://www.googleapis.com/auth/cloud-platform" }, scopes);

        // 4. The API call carries the service account token; a second call reuses it (no new exchange).
        using (var again = await http.GetAsync(fake.Url(ApiPath)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.All(fake.At(ApiPath), api => Assert.Equal("Bearer " + ServiceAccountToken, api.Authorization));
        Assert.Equal(2, fake.At(ApiPath).Count);
        Assert.Single(fake.At(MsiPath));
        Assert.Single(fake.At(StsPath));
    }

    [Fact]
    public async Task BuiltConfigWithoutImpersonationUsesTheFederatedTokenDirectly()
    {
        const string defaultResource =
            "https://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/azure-pool/providers/azure-provider";
        await using var fake = await StartFakes(resource: defaultResource, expectedStsScope: "https://www.googleapis.com/auth/cloud-platform");
        var environment = Environment(fake);
        var config = AzureWorkloadIdentity.CredentialConfig(environment, Audience, tokenUrl: fake.Url(StsPath));
        Assert.DoesNotContain("service_account_impersonation_url", config, StringComparison.Ordinal);

        var withConfig = new Dictionary<string, string?>(environment) { ["GOOGLE_CREDENTIALS_JSON"] = config };
        var access = await GoogleAccess.ForStorage(withConfig, Options());
        using var http = GoogleHttp.CreateClient(access);
        using var response = await http.GetAsync(fake.Url(ApiPath));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var msi = Assert.Single(fake.At(MsiPath));
        Assert.Equal(IdentityHeader, msi.Header("X-IDENTITY-HEADER"));
        Assert.Equal(defaultResource, msi.Query["resource"]);
        Assert.Equal(AzureToken, Assert.Single(fake.At(StsPath)).Form()["subject_token"]);
        Assert.Empty(fake.At(IamPath));
        Assert.Equal("Bearer " + StsToken, Assert.Single(fake.At(ApiPath)).Authorization);
    }

    [Fact]
    public void CredentialConfigCarriesTheIdentityEndpointHeaderAndUserAssignedClientId()
    {
        var environment = new Dictionary<string, string?>
        {
            ["IDENTITY_ENDPOINT"] = "http://localhost:8081/msi/token",
            ["IDENTITY_HEADER"] = IdentityHeader,
        };

        var config = JsonNode.Parse(AzureWorkloadIdentity.CredentialConfig(
            environment, Audience, AzureWorkloadIdentity.ImpersonationUrl("sa@proj.iam.gserviceaccount.com"), AppIdUri, "client-guid"))!;

        Assert.Equal("external_account", (string?)config["type"]);
        Assert.Equal(Audience, (string?)config["audience"]);
        Assert.Equal("https://sts.googleapis.com/v1/token", (string?)config["token_url"]);
        Assert.Equal(
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa%40proj.iam.gserviceaccount.com:generateAccessToken",
            (string?)config["service_account_impersonation_url"]);
        var source = config["credential_source"]!;
        Assert.Equal(
            "http://localhost:8081/msi/token?resource=api%3A%2F%2Fbqdispatch-wif&client_id=client-guid&api-version=2019-08-01",
            (string?)source["url"]);
        Assert.Equal(IdentityHeader, (string?)source["headers"]!["X-IDENTITY-HEADER"]);
        Assert.Equal("access_token", (string?)source["format"]!["subject_token_field_name"]);
    }

    [Fact]
    public void CredentialConfigWithoutManagedIdentityNamesTheVariables()
    {
        var error = Assert.Throws<GoogleAccessException>(() => AzureWorkloadIdentity.CredentialConfig(
            new Dictionary<string, string?> { ["IDENTITY_ENDPOINT"] = "http://localhost:8081/msi/token" }, Audience));

        Assert.Contains("IDENTITY_ENDPOINT", error.Message, StringComparison.Ordinal);
        Assert.Contains("IDENTITY_HEADER", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdaptationKeepsClientIdAndLeavesOtherConfigsAlone()
    {
        var environment = new Dictionary<string, string?>
        {
            ["IDENTITY_ENDPOINT"] = "http://localhost:8081/msi/token",
            ["IDENTITY_HEADER"] = IdentityHeader,
        };
        var imds = ExternalAccount("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://x&client_id=uami");
        var adapted = JsonNode.Parse(AzureWorkloadIdentity.AdaptToAppService(imds, environment))!;
        Assert.Equal(
            "http://localhost:8081/msi/token?resource=api%3A%2F%2Fx&client_id=uami&api-version=2019-08-01",
            (string?)adapted["credential_source"]!["url"]);
        Assert.Equal(Audience, (string?)adapted["audience"]);

        // Not on App Service: the VM metadata endpoint is right as it is.
        Assert.Same(imds, AzureWorkloadIdentity.AdaptToAppService(imds, new Dictionary<string, string?>()));
        // Another URL source is not touched.
        var other = ExternalAccount("https://tokens.example.com/token");
        Assert.Same(other, AzureWorkloadIdentity.AdaptToAppService(other, environment));
    }

    private static string ExternalAccount(string url) => new JsonObject
    {
        ["type"] = "external_account",
        ["audience"] = Audience,
        ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
        ["token_url"] = "https://sts.googleapis.com/v1/token",
        ["credential_source"] = new JsonObject
        {
            ["url"] = url,
            ["headers"] = new JsonObject { ["Metadata"] = "True" },
            ["format"] = new JsonObject { ["type"] = "json", ["subject_token_field_name"] = "access_token" },
        },
    }.ToJsonString();

    private static GoogleAccessOptions Options() => new()
    {
        ApplicationDefault = _ => throw new InvalidOperationException("ADC must not be consulted"),
        ReadFile = _ => throw new InvalidOperationException("no file must be read"),
    };

    private static Dictionary<string, string?> Environment(FakeGoogle fake, params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string?>
        {
            ["IDENTITY_ENDPOINT"] = fake.Url(MsiPath),
            ["IDENTITY_HEADER"] = IdentityHeader,
        };
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static async Task<FakeGoogle> StartFakes(string resource, string expectedStsScope)
    {
        var fake = await FakeGoogle.Start();
        fake.On(MsiPath, request =>
            request.Header("X-IDENTITY-HEADER") == IdentityHeader
            && request.Query.GetValueOrDefault("resource") == resource
            && request.Query.GetValueOrDefault("api-version") == "2019-08-01"
                ? (200, Json(new
                {
                    access_token = AzureToken,
                    expires_on = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    resource,
                    token_type = "Bearer",
                }))
                : (400, Json(new { error = "invalid_request" })));
        fake.On(StsPath, request =>
        {
            var form = request.Form();
            return form.GetValueOrDefault("grant_type") == "urn:ietf:params:oauth:grant-type:token-exchange"
                && form.GetValueOrDefault("subject_token") == AzureToken
                && form.GetValueOrDefault("audience") == Audience
                && form.GetValueOrDefault("scope") == expectedStsScope
                ? (200, Json(new
                {
                    access_token = StsToken,
                    issued_token_type = "urn:ietf:params:oauth:token-type:access_token",
                    token_type = "Bearer",
                    expires_in = 3600,
                }))
                : (400, Json(new { error = "invalid_grant", error_description = "unexpected exchange" }));
        });
        fake.On(IamPath, request => request.Authorization == "Bearer " + StsToken
            ? (200, Json(new { accessToken = ServiceAccountToken, expireTime = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) }))
            : (403, Json(new { error = new { code = 403, message = "denied" } })));
        fake.On(ApiPath, request =>
            request.Authorization is "Bearer " + ServiceAccountToken or "Bearer " + StsToken
                ? (200, "{\"kind\":\"bigquery#jobList\"}")
                : (401, Json(new { error = new { code = 401, message = "unauthenticated" } })));
        return fake;
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
