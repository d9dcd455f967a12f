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

    /// <summary>How much of a body that is not the Google JSON error shape goes into a message.</summary>
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
                    var message = !string.IsNullOrWhiteSpace(error.Message) ? error.Message
                        : !string.IsNullOrWhiteSpace(first?.Message) ? first!.Message!
                        : $"HTTP {status}";
                    return (string.IsNullOrWhiteSpace(first?.Reason) ? null : first!.Reason, message);
                }
            }
            catch (JsonException)
            {
                // Not the envelope after all: fall through to the raw text.
            }
        }

        if (text.Length == 0)
        {
            return (null, $"HTTP {status} with an empty body");
        }

        return (null, text.Length <= RawBodyLimit ? text : string.Concat(text.AsSpan(0, RawBodyLimit), "…"));
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
