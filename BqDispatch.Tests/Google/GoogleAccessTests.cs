using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BqDispatch.Core.Google;
using Google.Apis.Auth.OAuth2;
using Xunit;

namespace BqDispatch.Tests.Google;

/// <summary>Emulators, Application Default Credentials and the errors of <see cref="GoogleAccess"/>.</summary>
public sealed class GoogleAccessTests
{
    [Fact]
    public async Task EmulatorVariablesMeanNoAuthorizationHeaderAndNoCredentialLookup()
    {
        await using var fake = await FakeGoogle.Start();
        fake.On("/api", _ => (401, "{}"));
        var environment = new Dictionary<string, string?>
        {
            ["STORAGE_EMULATOR_HOST"] = "127.0.0.1:9023",
            ["BIGQUERY_EMULATOR_HOST"] = "http://127.0.0.1:9050",
            ["GOOGLE_CREDENTIALS_JSON"] = "{ not even json",
        };

        var set = await GoogleAccess.ForStorageAndBigQuery(environment, ServiceAccountAuthTests.NoAmbient());

        Assert.False(set.Storage.IsAuthenticated);
        Assert.False(set.BigQuery.IsAuthenticated);
        Assert.Contains("STORAGE_EMULATOR_HOST", set.Storage.Description, StringComparison.Ordinal);
        Assert.Contains("BIGQUERY_EMULATOR_HOST", set.BigQuery.Description, StringComparison.Ordinal);
        foreach (var access in new[] { set.Storage, set.BigQuery })
        {
            using var http = GoogleHttp.CreateClient(access);
            using var response = await http.GetAsync(fake.Url("/api"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // No header, and a 401 is not retried: there is nothing to refresh.
        Assert.Equal(2, fake.At("/api").Count);
        Assert.All(fake.At("/api"), request => Assert.Null(request.Authorization));
    }

    [Fact]
    public async Task OneEmulatedApiDoesNotExemptTheOther()
    {
        var environment = new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = "127.0.0.1:9023" };

        var storage = await GoogleAccess.ForStorage(environment, ServiceAccountAuthTests.NoAmbient());
        Assert.False(storage.IsAuthenticated);
        var error = await Assert.ThrowsAsync<GoogleAccessException>(
            () => GoogleAccess.ForBigQuery(environment, NoCredentialsAnywhere()));
        Assert.Contains("BIGQUERY_EMULATOR_HOST", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<GoogleAccessException>(
            () => GoogleAccess.ForStorageAndBigQuery(environment, NoCredentialsAnywhere()));
    }

    [Fact]
    public async Task NoCredentialsAnywhereNamesTheVariablesToSet()
    {
        var error = await Assert.ThrowsAsync<GoogleAccessException>(
            () => GoogleAccess.ForBigQuery(new Dictionary<string, string?>(), NoCredentialsAnywhere()));

        Assert.StartsWith("no Google credentials", error.Message, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_CREDENTIALS_JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_APPLICATION_CREDENTIALS", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public async Task ApplicationDefaultCredentialsAreUsedWhenNothingIsSetAndAreScoped()
    {
        using var rsa = RSA.Create(2048);
        var adcCalls = 0;
        var options = new GoogleAccessOptions
        {
            ApplicationDefault = _ =>
            {
                adcCalls++;
                return Task.FromResult(CredentialFactory.FromJson(
                    ServiceAccountAuthTests.ServiceAccountJson(rsa, "http://127.0.0.1:9/token"),
                    JsonCredentialParameters.ServiceAccountCredentialType));
            },
        };

        var set = await GoogleAccess.ForStorageAndBigQuery(new Dictionary<string, string?>(), options);

        Assert.Equal(1, adcCalls);
        Assert.Same(set.Storage, set.BigQuery);
        Assert.Equal("Application Default Credentials", set.Storage.Description);
        var credential = Assert.IsType<GoogleCredential>(set.Storage.Credential);
        Assert.False(credential.IsCreateScopedRequired);
    }

    public static TheoryData<string, string> MalformedCredentials => new()
    {
        // Truncated: the key is cut off inside its string.
        { "{\"type\":\"service_account\",\"client_email\":\"a@b\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANSECRETKEYMATERIAL", "not valid JSON" },
        { "[\"service_account\"]", "must hold a credential JSON object" },
        { "{\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANSECRETKEYMATERIAL\\n-----END PRIVATE KEY-----\\n\"}", "has no \"type\"" },
        { "{\"type\":\"gdch_service_account\",\"private_key\":\"MIIEvQIBADANSECRETKEYMATERIAL\"}", "unsupported credential type 'gdch_service_account'" },
        { "{\"type\":\"service_account\",\"client_email\":\"a@b\",\"private_key_id\":\"MIIEvQIBADANSECRETKEYMATERIAL\"}", "lacks \"private_key\"" },
        { "{\"type\":\"authorized_user\",\"client_id\":\"id\",\"client_secret\":\"MIIEvQIBADANSECRETKEYMATERIAL\"}", "lacks \"refresh_token\"" },
        // Well formed, but the key is not a key: the library refuses it; its message is not repeated.
        { "{\"type\":\"service_account\",\"client_email\":\"a@b\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANSECRETKEYMATERIAL\\n-----END PRIVATE KEY-----\\n\"}", "could not be loaded" },
    };

    [Theory]
    [MemberData(nameof(MalformedCredentials))]
    public async Task MalformedCredentialJsonIsAClearErrorWithoutSecretMaterial(string json, string expected)
    {
        var error = await Assert.ThrowsAsync<GoogleAccessException>(() => GoogleAccess.ForStorage(
            new Dictionary<string, string?> { ["GOOGLE_CREDENTIALS_JSON"] = json }, ServiceAccountAuthTests.NoAmbient()));

        Assert.StartsWith("GOOGLE_CREDENTIALS_JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public async Task UnreadableCredentialFileNamesTheVariableAndPath()
    {
        var options = new GoogleAccessOptions
        {
            ReadFile = path => throw new FileNotFoundException("Could not find file", path),
            ApplicationDefault = _ => throw new InvalidOperationException("ADC must not be consulted"),
        };

        var error = await Assert.ThrowsAsync<GoogleAccessException>(() => GoogleAccess.ForStorage(
            new Dictionary<string, string?> { ["GOOGLE_APPLICATION_CREDENTIALS"] = "/secrets/missing.json" }, options));

        Assert.StartsWith("GOOGLE_APPLICATION_CREDENTIALS: cannot read '/secrets/missing.json'", error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public async Task MalformedCredentialFileIsReportedAgainstGoogleApplicationCredentials()
    {
        var options = new GoogleAccessOptions
        {
            ReadFile = _ => "{\"type\":\"service_account\",\"private_key\":\"MIIEvQIBADANSECRETKEYMATERIAL",
            ApplicationDefault = _ => throw new InvalidOperationException("ADC must not be consulted"),
        };

        var error = await Assert.ThrowsAsync<GoogleAccessException>(() => GoogleAccess.ForStorage(
            new Dictionary<string, string?> { ["GOOGLE_APPLICATION_CREDENTIALS"] = "/secrets/sa.json" }, options));

        Assert.StartsWith("GOOGLE_APPLICATION_CREDENTIALS is not valid JSON", error.Message, StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public async Task ValidExternalAccountConfigIsLoadedWithoutTouchingTheNetwork()
    {
        var json = new JsonObject
        {
            ["type"] = "external_account",
            ["audience"] = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
            ["token_url"] = "https://sts.googleapis.com/v1/token",
            ["credential_source"] = new JsonObject { ["url"] = "http://127.0.0.1:9/token" },
        }.ToJsonString();

        var access = await GoogleAccess.ForBigQuery(
            new Dictionary<string, string?> { ["GOOGLE_CREDENTIALS_JSON"] = json }, ServiceAccountAuthTests.NoAmbient());

        Assert.True(access.IsAuthenticated);
        Assert.Equal("external_account credential from GOOGLE_CREDENTIALS_JSON", access.Description);
    }

    private static GoogleAccessOptions NoCredentialsAnywhere() => new()
    {
        ApplicationDefault = _ => throw new InvalidOperationException(
            "Your default credentials were not found. To set up Application Default Credentials, see https://cloud.google.com/docs/authentication/external/set-up-adc for more information."),
        ReadFile = _ => throw new InvalidOperationException("no file must be read"),
    };

    private static void AssertNoSecret(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain("SECRETKEYMATERIAL", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("BEGIN PRIVATE KEY", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }
}
