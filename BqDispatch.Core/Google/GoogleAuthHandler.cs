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
/// request content is sent twice on a 401, so it must be re-readable (byte-array or string content). A token that
/// cannot be had is a <see cref="GoogleTokenException"/> naming the credential and the token endpoint's status: the
/// library's own exceptions can quote the endpoint's answer, which may echo the signed assertion, so none of their
/// text is kept. A cancellation of the call itself (the caller's, or the retry handler's attempt timeout) propagates.
/// </remarks>
public sealed class GoogleAuthHandler : DelegatingHandler
{
    private readonly ITokenAccess? credential;
    private readonly string source;

    public GoogleAuthHandler(GoogleAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        credential = access.Credential;
        source = access.Description;
    }

    public GoogleAuthHandler(GoogleAccess access, HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
        ArgumentNullException.ThrowIfNull(access);
        credential = access.Credential;
        source = access.Description;
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
        bool refreshed;
        string fresh;
        try
        {
            refreshed = refresher is not null && await Safely(
                () => refresher.HandleResponseAsync(new HandleUnsuccessfulResponseArgs
                {
                    Request = request,
                    Response = response,
                    TotalTries = 2,
                    CurrentFailedTry = 1,
                    CancellationToken = cancellationToken,
                }),
                cancellationToken);
            fresh = await Authorize(credential, request, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (!refreshed && fresh == token)
        {
            return response;
        }

        response.Dispose();
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string> Authorize(ITokenAccess credential, HttpRequestMessage request, CancellationToken cancellation)
    {
        var uri = request.RequestUri?.AbsoluteUri;
        string token;
        if (credential is ITokenAccessWithHeaders withHeaders)
        {
            var result = await Safely(() => withHeaders.GetAccessTokenWithHeadersForRequestAsync(uri, cancellation), cancellation);
            foreach (var name in result.Headers?.Keys ?? [])
            {
                request.Headers.Remove(name);
            }

            result.AddHeaders(request);
            token = result.AccessToken;
        }
        else
        {
            token = await Safely(() => credential.GetAccessTokenForRequestAsync(uri, cancellation), cancellation);
        }

        if (string.IsNullOrEmpty(token))
        {
            throw GoogleTokenException.EmptyToken(source);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return token;
    }

    /// <summary>Runs a credential call; whatever it throws, except a cancellation of this call, becomes a <see cref="GoogleTokenException"/>.</summary>
    private async Task<T> Safely<T>(Func<Task<T>> call, CancellationToken cancellation)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellation.IsCancellationRequested))
        {
            throw GoogleTokenException.From(e, source);
        }
    }
}
