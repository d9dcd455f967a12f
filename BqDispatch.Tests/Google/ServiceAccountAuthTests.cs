using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BqDispatch.Core.Google;
using Xunit;

namespace BqDispatch.Tests.Google;

/// <summary>A service-account key from GOOGLE_CREDENTIALS_JSON against a local token endpoint and API.</summary>
public sealed class ServiceAccountAuthTests
{
    private const string TokenPath = "/token";
    private const string ApiPath = "/storage/v1/b/bucket/o";
    private const string ClientEmail = "dispatcher@proj.iam.gserviceaccount.com";
    private const string KeyId = "key-id-0123";

    [Fact]
    public async Task BearerTokenFromTheJwtGrantIsAttachedAndA401RefreshesOnceAndRetries()
    {
        using var rsa = RSA.Create(2048);
        await using var fake = await FakeGoogle.Start();
        var issued = 0;
        fake.On(TokenPath, _ => (200, TokenResponse("sa-token-" + Interlocked.Increment(ref issued))));
        // The API rejects the first token (as if revoked early) and accepts the second.
        fake.On(ApiPath, request => request.Authorization == "Bearer sa-token-2" ? (200, "{}") : (401, "{\"error\":{\"code\":401}}"));

        var access = await GoogleAccess.ForStorage(Environment(ServiceAccountJson(rsa, fake.Url(TokenPath))), NoAmbient());
        Assert.Equal("service_account credential from GOOGLE_CREDENTIALS_JSON", access.Description);
        using var http = GoogleHttp.CreateClient(access);
        using var response = await http.PostAsync(fake.Url(ApiPath), new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var api = fake.At(ApiPath);
        Assert.Equal(new[] { "Bearer sa-token-1", "Bearer sa-token-2" }, api.Select(r => r.Authorization));
        Assert.All(api, r => Assert.Equal("{\"name\":\"x\"}", r.Body));

        // Each token came from the JWT-bearer grant, signed with the key of the JSON and scoped to cloud-platform.
        var grants = fake.At(TokenPath);
        Assert.Equal(2, grants.Count);
        foreach (var grant in grants)
        {
            var form = grant.Form();
            Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", form["grant_type"]);
            var (header, claims) = VerifyJwt(form["assertion"], rsa);
            Assert.Equal("RS256", (string?)header["alg"]);
            Assert.Equal(KeyId, (string?)header["kid"]);
            Assert.Equal(ClientEmail, (string?)claims["iss"]);
            Assert.Equal(GoogleAccess.CloudPlatformScope, (string?)claims["scope"]);
        }
    }

    [Fact]
    public async Task TokenIsCachedAcrossRequests()
    {
        using var rsa = RSA.Create(2048);
        await using var fake = await FakeGoogle.Start();
        var issued = 0;
        fake.On(TokenPath, _ => (200, TokenResponse("sa-token-" + Interlocked.Increment(ref issued))));
        fake.On(ApiPath, _ => (200, "{}"));

        var access = await GoogleAccess.ForStorage(Environment(ServiceAccountJson(rsa, fake.Url(TokenPath))), NoAmbient());
        using var http = GoogleHttp.CreateClient(access);
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync(fake.Url(ApiPath));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(fake.At(TokenPath));
        Assert.All(fake.At(ApiPath), r => Assert.Equal("Bearer sa-token-1", r.Authorization));
    }

    [Fact]
    public async Task A401ThatPersistsIsRetriedOnlyOnce()
    {
        using var rsa = RSA.Create(2048);
        await using var fake = await FakeGoogle.Start();
        var issued = 0;
        fake.On(TokenPath, _ => (200, TokenResponse("sa-token-" + Interlocked.Increment(ref issued))));
        fake.On(ApiPath, _ => (401, "{\"error\":{\"code\":401}}"));

        var access = await GoogleAccess.ForStorage(Environment(ServiceAccountJson(rsa, fake.Url(TokenPath))), NoAmbient());
        using var http = GoogleHttp.CreateClient(access);
        using var response = await http.GetAsync(fake.Url(ApiPath));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, fake.At(ApiPath).Count);
        Assert.Equal(2, fake.At(TokenPath).Count);
    }

    [Fact]
    public async Task CredentialFileNamedByGoogleApplicationCredentialsIsLoaded()
    {
        using var rsa = RSA.Create(2048);
        await using var fake = await FakeGoogle.Start();
        fake.On(TokenPath, _ => (200, TokenResponse("file-token")));
        fake.On(ApiPath, _ => (200, "{}"));
        var json = ServiceAccountJson(rsa, fake.Url(TokenPath));
        var options = new GoogleAccessOptions
        {
            ReadFile = path => path == "/secrets/sa.json" ? json : throw new FileNotFoundException("no such file", path),
            ApplicationDefault = _ => throw new InvalidOperationException("ADC must not be consulted"),
        };

        var access = await GoogleAccess.ForBigQuery(
            new Dictionary<string, string?> { ["GOOGLE_APPLICATION_CREDENTIALS"] = "/secrets/sa.json" }, options);
        using var http = GoogleHttp.CreateClient(access);
        using var response = await http.GetAsync(fake.Url(ApiPath));

        Assert.Equal("service_account credential from GOOGLE_APPLICATION_CREDENTIALS", access.Description);
        Assert.Equal("Bearer file-token", Assert.Single(fake.At(ApiPath)).Authorization);
    }

    [Fact]
    public async Task OuterHandlerRunsOutsideAuthenticationSoEveryAttemptIsAuthorized()
    {
        using var rsa = RSA.Create(2048);
        await using var fake = await FakeGoogle.Start();
        fake.On(TokenPath, _ => (200, TokenResponse("sa-token")));
        var calls = 0;
        fake.On(ApiPath, _ => Interlocked.Increment(ref calls) == 1 ? (503, "{}") : (200, "{}"));
        var outer = new RetryOnce();

        var access = await GoogleAccess.ForStorage(Environment(ServiceAccountJson(rsa, fake.Url(TokenPath))), NoAmbient());
        using var http = GoogleHttp.CreateClient(access, outer);
        using var response = await http.GetAsync(fake.Url(ApiPath));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new string?[] { null, "Bearer sa-token" }, outer.AuthorizationBeforeAndAfterFirstAttempt);
        Assert.All(fake.At(ApiPath), r => Assert.Equal("Bearer sa-token", r.Authorization));
        Assert.Equal(2, fake.At(ApiPath).Count);
    }

    [Fact]
    public void OuterChainThatAlreadyEndsInATransportIsRejected()
    {
        using var outer = new RetryOnce { InnerHandler = new SocketsHttpHandler() };

        Assert.Throws<ArgumentException>(() => GoogleHttp.CreateClient(GoogleAccess.Unauthenticated("test"), outer));
    }

    internal static string ServiceAccountJson(RSA rsa, string tokenUri) => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = "proj",
        ["private_key_id"] = KeyId,
        ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "1234567890",
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = tokenUri,
    }.ToJsonString();

    internal static GoogleAccessOptions NoAmbient() => new()
    {
        ApplicationDefault = _ => throw new InvalidOperationException("ADC must not be consulted"),
        ReadFile = _ => throw new InvalidOperationException("no file must be read"),
    };

    private static Dictionary<string, string?> Environment(string json) => new() { ["GOOGLE_CREDENTIALS_JSON"] = json };

    private static string TokenResponse(string token) =>
        JsonSerializer.Serialize(new { access_token = token, expires_in = 3600, token_type = "Bearer" });

    private static (JsonNode Header, JsonNode Claims) VerifyJwt(string jwt, RSA rsa)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.True(rsa.VerifyData(
            Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return (JsonNode.Parse(Base64Url(parts[0]))!, JsonNode.Parse(Base64Url(parts[1]))!);
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    /// <summary>A stand-in retry handler: records what it sees around the first attempt, retries a 503 once.</summary>
    private sealed class RetryOnce : DelegatingHandler
    {
        public List<string?> AuthorizationBeforeAndAfterFirstAttempt { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            AuthorizationBeforeAndAfterFirstAttempt.Add(request.Headers.Authorization?.ToString());
            var response = await base.SendAsync(request, cancellationToken);
            AuthorizationBeforeAndAfterFirstAttempt.Add(request.Headers.Authorization?.ToString());
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return response;
            }

            // A fresh attempt: whatever the previous one carried is gone; the inner handler must authorize it again.
            response.Dispose();
            request.Headers.Authorization = null;
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
