using Google.Apis.Auth.OAuth2.Responses;

namespace BqDispatch.Core.Google;

/// <summary>
/// No access token could be had for a Google call. The message is one line naming the credential source and what
/// the token endpoint did (its HTTP status, and the OAuth error code when it is a standard one). It never holds a
/// response body, an assertion or a token, and no inner exception is kept: a token endpoint that echoes the signed
/// request (as a hostile or misconfigured one may) cannot get it into logs, status documents or failure details.
/// </summary>
public sealed class GoogleTokenException : Exception
{
    // RFC 6749 §5.2 and RFC 8693: fixed words, safe to repeat whatever else the answer held.
    private static readonly HashSet<string> StandardErrors = new(StringComparer.Ordinal)
    {
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
        "invalid_scope", "access_denied", "invalid_target", "server_error", "temporarily_unavailable",
    };

    private GoogleTokenException(string message, int status)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The token endpoint's HTTP status; 0 when it gave none (unreachable, timed out, no token in a 200).</summary>
    public int Status { get; }

    /// <summary>True when a later attempt may succeed: no answer, 408, 429 or 5xx.</summary>
    public bool IsTransient => Status is 0 or 408 or 429 or >= 500;

    /// <summary>The safe form of a failure <paramref name="credential"/> (a <see cref="GoogleAccess.Description"/>) met.</summary>
    public static GoogleTokenException From(Exception failure, string credential)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var prefix = $"Google token request failed ({credential})";
        return failure switch
        {
            TokenResponseException { StatusCode: { } status } e when (int)status is < 200 or >= 300 =>
                new($"{prefix}: the token endpoint answered HTTP {(int)status}{Code(e)}", (int)status),
            TokenResponseException => new($"{prefix}: the token endpoint's answer held no access token", 0),
            HttpRequestException e => new($"{prefix}: the token endpoint could not be reached ({e.HttpRequestError})", 0),
            OperationCanceledException => new($"{prefix}: timed out", 0),
            _ => new($"{prefix}: {failure.GetType().Name}", 0),
        };
    }

    /// <summary>The credential gave an empty token.</summary>
    public static GoogleTokenException EmptyToken(string credential) =>
        new($"Google token request failed ({credential}): the credential returned an empty access token", 0);

    private static string Code(TokenResponseException e) =>
        e.Error?.Error is { } code && StandardErrors.Contains(code) ? $" ({code})" : "";
}
