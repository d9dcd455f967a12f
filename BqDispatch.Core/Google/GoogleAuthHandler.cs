using System.Net;
using System.Net.Http.Headers;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace BqDispatch.Core.Google;

/// <summary>
/// Adds <c>Authorization: Bearer &lt;token&gt;</c> from the <see cref="GoogleAccess"/> credential to every request
/// (plus the credential's extra headers, e.g. <c>x-goog-user-project</c> when a quota project is set). The
/// credential caches the token and refreshes it before it expires. When the API still answers 401, the credential
/// is told the token was rejected (the library's own 401 handling, which fetches a new token) and the request is
/// sent once more with the new token; a second 401 is returned as is. A no-op for unauthenticated access.
/// </summary>
/// <remarks>
/// Retries of other failures belong to a handler outside this one, so that every attempt gets a valid token. The
/// request content is sent twice on a 401, so it must be re-readable (byte-array or string content). Errors from
/// the token endpoints propagate unchanged (e.g. <see cref="HttpRequestException"/>, so an outer retry handler sees
/// them); they never include the token.
/// </remarks>
public sealed class GoogleAuthHandler : DelegatingHandler
{
    private readonly ITokenAccess? credential;

    public GoogleAuthHandler(GoogleAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        credential = access.Credential;
    }

    public GoogleAuthHandler(GoogleAccess access, HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
        ArgumentNullException.ThrowIfNull(access);
        credential = access.Credential;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (credential is null)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var token = await Authorize(credential, request, cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // The library's credentials (ServiceCredential, UserCredential) implement the 401 handling of Google's own
        // HTTP pipeline: if the rejected token is still the cached one, they fetch a new one.
        var refresher = (credential is GoogleCredential google ? google.UnderlyingCredential : credential)
            as IHttpUnsuccessfulResponseHandler;
        var refreshed = refresher is not null && await refresher.HandleResponseAsync(new HandleUnsuccessfulResponseArgs
        {
            Request = request,
            Response = response,
            TotalTries = 2,
            CurrentFailedTry = 1,
            CancellationToken = cancellationToken,
        });
        var fresh = await Authorize(credential, request, cancellationToken);
        if (!refreshed && fresh == token)
        {
            return response;
        }

        response.Dispose();
        return await base.SendAsync(request, cancellationToken);
    }

    private static async Task<string> Authorize(ITokenAccess credential, HttpRequestMessage request, CancellationToken cancellation)
    {
        var uri = request.RequestUri?.AbsoluteUri;
        string token;
        if (credential is ITokenAccessWithHeaders withHeaders)
        {
            var result = await withHeaders.GetAccessTokenWithHeadersForRequestAsync(uri, cancellation);
            foreach (var name in result.Headers?.Keys ?? [])
            {
                request.Headers.Remove(name);
            }

            result.AddHeaders(request);
            token = result.AccessToken;
        }
        else
        {
            token = await credential.GetAccessTokenForRequestAsync(uri, cancellation);
        }

        if (string.IsNullOrEmpty(token))
        {
            throw new GoogleAccessException("the Google credential returned an empty access token");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return token;
    }
}
