using Google.Apis.Auth;

namespace BqDispatch.Core.Events;

/// <summary>What the push endpoint does with a request, decided from its Authorization header alone.</summary>
public enum PushVerdict
{
    /// <summary>A valid OIDC token from the configured service account, for our audience.</summary>
    Accepted,

    /// <summary>401: no bearer token, or one that is not a valid Google-signed, unexpired token.</summary>
    Unauthorized,

    /// <summary>403: a valid token, but for another audience or another account.</summary>
    Forbidden,

    /// <summary>503: Google's signing keys could not be fetched, so nothing can be verified now (Pub/Sub retries).</summary>
    KeysUnavailable,
}

/// <summary>The verdict and, when it is not <see cref="PushVerdict.Accepted"/>, why (for the log; never the token).</summary>
public sealed record PushAuthorization(PushVerdict Verdict, string Reason);

/// <summary>
/// Verifies the OIDC token Pub/Sub push attaches to each request: signed by Google (RS256 against the keys at
/// <paramref name="keysUrl"/>, Google's JWKS by default), issued by accounts.google.com, unexpired, with our
/// <paramref name="audience"/> and the configured push <paramref name="serviceAccount"/> as its verified email.
/// </summary>
public sealed class PushAuthenticator(string audience, string serviceAccount, string? keysUrl = null)
{
    /// <summary>Google's signing keys (what Google.Apis.Auth fetches when no other URL is given).</summary>
    public const string GoogleKeysUrl = "https://www.googleapis.com/oauth2/v3/certs";

    private static readonly string[] Issuers = ["https://accounts.google.com", "accounts.google.com"];

    public async Task<PushAuthorization> Check(string? authorization, CancellationToken cancellation)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || authorization[Scheme.Length..].Trim() is not { Length: > 0 } token)
        {
            return new(PushVerdict.Unauthorized, "no bearer token");
        }

        if (!IsJwtShaped(token))
        {
            return new(PushVerdict.Unauthorized, "the bearer token is not a JWT");
        }

        GoogleJsonWebSignature.Payload payload;
        try
        {
            var options = new SignedTokenVerificationOptions { CertificatesUrl = keysUrl ?? GoogleKeysUrl };
            foreach (var issuer in Issuers)
            {
                options.TrustedIssuers.Add(issuer);
            }

            payload = await JsonWebSignature.VerifySignedTokenAsync<GoogleJsonWebSignature.Payload>(token, options, cancellation);
        }
        catch (InvalidJwtException e)
        {
            return new(PushVerdict.Unauthorized, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The token is well-formed, so anything but InvalidJwtException comes from fetching or reading the keys.
            return new(PushVerdict.KeysUnavailable, $"the signing keys at {keysUrl ?? GoogleKeysUrl} could not be read ({e.GetType().Name})");
        }

        if (!payload.AudienceAsList.Contains(audience, StringComparer.Ordinal))
        {
            return new(PushVerdict.Forbidden, "the token is for another audience");
        }

        return payload.EmailVerified && string.Equals(payload.Email, serviceAccount, StringComparison.OrdinalIgnoreCase)
            ? new(PushVerdict.Accepted, "")
            : new(PushVerdict.Forbidden, $"the token is not from {serviceAccount}");
    }

    // Three base64url parts, the first two JSON objects: what the library can parse. Anything else is the caller's fault.
    private static bool IsJwtShaped(string token)
    {
        var parts = token.Split('.');
        return parts.Length == 3 && parts[2].Length > 0 && IsJsonObject(parts[0]) && IsJsonObject(parts[1]);
    }

    private static bool IsJsonObject(string base64Url)
    {
        try
        {
            var text = base64Url.Replace('-', '+').Replace('_', '/');
            var bytes = Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
            using var document = System.Text.Json.JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
