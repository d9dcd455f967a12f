using System.Text;
using BqDispatch.Core.BigQuery;
using System.Text.Json;

namespace BqDispatch.Core.Google;

/// <summary>Turns a non-2xx response of a Google API (BigQuery or Cloud Storage) into a status, a reason and a message.</summary>
internal static class GoogleErrorParser
{
    /// <summary>How much of an error body is read at most.</summary>
    public const int BodyLimit = 64 * 1024;

    /// <summary>Reads at most <see cref="BodyLimit"/> of the body (one that breaks off reads as none) and parses it.</summary>
    public static async Task<(int Status, string? Reason, string Message)> Read(HttpResponseMessage response, CancellationToken cancellation)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            // Google's APIs answer calls directly; a redirect (to another host, say) is not followed with our token.
            var target = response.Headers.Location is { IsAbsoluteUri: true } location ? $" to {location.Host}" : "";
            return (status, null, $"HTTP {status}: a redirect{target}, which is not followed");
        }

        string? body;
        try
        {
            body = await ReadLimited(response.Content, cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
                                  || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            body = null;
        }

        var (reason, message) = Parse(status, body);
        return (status, reason, message);
    }

    /// <summary>How much of a body that is not the Google JSON error shape, or of an error message, goes into a message.</summary>
    public const int RawBodyLimit = 300;

    /// <summary>
    /// Reads the Google JSON error envelope: reason from error.errors[0].reason, message from error.message
    /// (else errors[0].message). Any other body (HTML from a proxy, plain text, empty) gives no reason and
    /// the body text, trimmed and cut to <see cref="RawBodyLimit"/> characters.
    /// </summary>
    public static (string? Reason, string Message) Parse(int status, string? body)
    {
        var text = body?.Trim() ?? "";
        if (text.StartsWith('{'))
        {
            try
            {
                var error = JsonSerializer.Deserialize(text, BigQueryJsonContext.Default.GoogleErrorEnvelope)?.Error;
                if (error is not null)
                {
                    var first = error.Errors is { Count: > 0 } errors ? errors[0] : null;
                    return (string.IsNullOrWhiteSpace(first?.Reason) ? null : first!.Reason, Describe(error, status));
                }
            }
            catch (JsonException)
            {
                // Not the envelope after all: fall through to the raw text.
            }
        }

        return text.Length == 0 ? (null, $"HTTP {status} with an empty body") : (null, Shorten(text));
    }

    /// <summary>The message of an error envelope: error.message, else errors[0].message, else the status; cut short.</summary>
    public static string Describe(GoogleErrorBody error, int status)
    {
        var first = error.Errors is { Count: > 0 } errors ? errors[0] : null;
        var message = !string.IsNullOrWhiteSpace(error.Message) ? error.Message
            : !string.IsNullOrWhiteSpace(first?.Message) ? first!.Message!
            : $"HTTP {status}";
        return Shorten(message.Trim());
    }

    // One line, and short: a status document lists many of these.
    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= RawBodyLimit ? line : string.Concat(line.AsSpan(0, RawBodyLimit), "…");
    }

    private static async Task<string> ReadLimited(HttpContent content, CancellationToken cancellation)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellation);
        var buffer = new byte[BodyLimit];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellation)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
