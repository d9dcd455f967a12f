namespace BqDispatch.Core.Google;

/// <summary>Where a Google REST client sends its calls: a validated base URL, or an emulator named by an environment variable.</summary>
public static class ServiceEndpoint
{
    /// <summary>An absolute http(s) base URL ending with '/'; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static Uri Root(string baseUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseUrl);
        if (!Uri.TryCreate(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Not an absolute http(s) URL: '{baseUrl}'.", nameof(baseUrl));
        }

        return uri;
    }

    /// <summary>
    /// <paramref name="defaultUrl"/>, unless <paramref name="emulatorVariable"/> is set to <c>host:port</c> or an
    /// <c>http(s)://host:port</c> URL (any path in it is ignored): then that host with <paramref name="emulatorPath"/>.
    /// </summary>
    public static string FromEnvironment(
        IReadOnlyDictionary<string, string?> environment, string emulatorVariable, string defaultUrl, string emulatorPath)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.TryGetValue(emulatorVariable, out var value) || string.IsNullOrWhiteSpace(value))
        {
            return defaultUrl;
        }

        var text = value.Trim();
        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"{emulatorVariable} is not host:port or an http(s) URL: '{text}'.", nameof(environment));
        }

        return uri.GetLeftPart(UriPartial.Authority) + emulatorPath;
    }
}
