using System.Net;

namespace BqDispatch.Core.Google;

/// <summary>Builds the <see cref="HttpClient"/> of a Google API client.</summary>
public static class GoogleHttp
{
    /// <summary>
    /// An <see cref="HttpClient"/> whose pipeline is <paramref name="outer"/> (e.g. a retry handler, or a chain of
    /// delegating handlers whose innermost has no inner handler yet) → <see cref="GoogleAuthHandler"/> →
    /// <see cref="SocketsHttpHandler"/>. Retries composed outside the authentication get a valid token on every attempt.
    /// </summary>
    public static HttpClient CreateClient(GoogleAccess access, DelegatingHandler? outer = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(access);
        var auth = new GoogleAuthHandler(access, new SocketsHttpHandler
        {
            // Re-resolve DNS now and then; Google's front ends move.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,

            // Google's JSON APIs answer in place; a redirect (say, to another host) is reported, not followed.
            AllowAutoRedirect = false,
        });
        HttpMessageHandler pipeline = auth;
        if (outer is not null)
        {
            var innermost = outer;
            while (innermost.InnerHandler is DelegatingHandler next)
            {
                innermost = next;
            }

            if (innermost.InnerHandler is not null)
            {
                auth.Dispose();
                throw new ArgumentException("The outer handler chain already ends in a transport handler.", nameof(outer));
            }

            innermost.InnerHandler = auth;
            pipeline = outer;
        }

        var client = new HttpClient(pipeline, disposeHandler: true);
        if (timeout is { } limit)
        {
            client.Timeout = limit;
        }

        return client;
    }
}
