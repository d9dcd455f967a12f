using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BqDispatch.Emulators.PubSub;

/// <summary>
/// Stands in for Google as the issuer of the OIDC tokens Pub/Sub push attaches: an RSA key whose public half is served
/// as a JWKS on 127.0.0.1 (what https://www.googleapis.com/oauth2/v3/certs serves), and RS256 tokens signed with it.
/// Also mints the wrong tokens an endpoint must refuse: expired, unsigned, signed by another key.
/// </summary>
public sealed class PushTokenIssuer : IAsyncDisposable
{
    public const string GoogleIssuer = "https://accounts.google.com";

    private readonly WebApplication app;
    private readonly RSA key = RSA.Create(2048);
    private readonly RSA stranger = RSA.Create(2048);
    private readonly string keyId = Guid.NewGuid().ToString("N");

    private PushTokenIssuer(WebApplication app, Uri root)
    {
        this.app = app;
        KeysUrl = new Uri(root, "oauth2/v3/certs").ToString();
    }

    /// <summary>Where the signing keys are served, as a JWKS.</summary>
    public string KeysUrl { get; }

    public static async Task<PushTokenIssuer> StartAsync()
    {
        PushTokenIssuer? issuer = null;
        var (app, root) = await LoopbackServer.Start(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(issuer!.Jwks());
        });
        issuer = new PushTokenIssuer(app, root);
        return issuer;
    }

    /// <summary>A token as Pub/Sub sends it: RS256 with the served key, issuer Google, for this audience and account.</summary>
    public string Token(string audience, string email, TimeSpan? validFor = null, bool emailVerified = true, string issuer = GoogleIssuer) =>
        Sign(key, Claims(audience, email, validFor ?? TimeSpan.FromHours(1), emailVerified, issuer));

    /// <summary>A token that expired a while ago.</summary>
    public string Expired(string audience, string email) => Sign(key, Claims(audience, email, TimeSpan.FromMinutes(-20), true, GoogleIssuer));

    /// <summary>A token signed with a key the JWKS does not hold.</summary>
    public string SignedByAnotherKey(string audience, string email) => Sign(stranger, Claims(audience, email, TimeSpan.FromHours(1), true, GoogleIssuer));

    /// <summary>A token with alg "none" and no signature.</summary>
    public static string Unsigned(string audience, string email) =>
        $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(Claims(audience, email, TimeSpan.FromHours(1), true, GoogleIssuer))}.";

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        key.Dispose();
        stranger.Dispose();
    }

    private string Jwks()
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["alg"] = "RS256",
                ["use"] = "sig",
                ["kid"] = keyId,
                ["n"] = Base64Url(parameters.Modulus!),
                ["e"] = Base64Url(parameters.Exponent!),
            }),
        }.ToJsonString();
    }

    private static JsonObject Claims(string audience, string email, TimeSpan validFor, bool emailVerified, string issuer)
    {
        var now = DateTimeOffset.UtcNow;
        var issued = validFor < TimeSpan.Zero ? now + validFor - TimeSpan.FromHours(1) : now;
        return new JsonObject
        {
            ["aud"] = audience,
            ["azp"] = "113774264463038321964",
            ["email"] = email,
            ["email_verified"] = emailVerified,
            ["exp"] = (now + validFor).ToUnixTimeSeconds(),
            ["iat"] = issued.ToUnixTimeSeconds(),
            ["iss"] = issuer,
            ["sub"] = "113774264463038321964",
        };
    }

    private string Sign(RSA signer, JsonObject claims)
    {
        var unsigned = $"{Encode(new JsonObject { ["alg"] = "RS256", ["kid"] = keyId, ["typ"] = "JWT" })}.{Encode(claims)}";
        var signature = signer.SignData(Encoding.ASCII.GetBytes(unsigned), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{unsigned}.{Base64Url(signature)}";
    }

    private static string Encode(JsonObject json) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(json));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
