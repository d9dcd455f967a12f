using System.Text.Json;

namespace BqDispatch.Core.Events;

/// <summary>One Pub/Sub message: its id, its decoded data, and when Pub/Sub published it.</summary>
public sealed record PubSubMessage(string MessageId, byte[] Data, DateTimeOffset? PublishTime);

/// <summary>A message a pull returned, with the id that acknowledges it.</summary>
public sealed record ReceivedMessage(string AckId, PubSubMessage Message);

/// <summary>
/// Reads Pub/Sub's JSON shapes: the push request body (<c>{"message": {...}, "subscription": "..."}</c>) and a message
/// object (<c>data</c> base64, <c>messageId</c>, <c>publishTime</c>). Throws <see cref="FormatException"/> when a
/// body is not such a shape.
/// </summary>
public static class PubSubJson
{
    public static (PubSubMessage Message, string? Subscription) ReadPush(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("message", out var message))
            {
                throw new FormatException("the push body has no message");
            }

            var subscription = root.TryGetProperty("subscription", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return (ReadMessage(message), subscription);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the push body is not JSON: {e.Message}", e);
        }
    }

    public static PubSubMessage ReadMessage(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the message is not an object");
        }

        var id = Text(message, "messageId") ?? Text(message, "message_id") ?? throw new FormatException("the message has no messageId");
        byte[] data;
        try
        {
            data = Text(message, "data") is { } encoded ? Convert.FromBase64String(encoded) : [];
        }
        catch (FormatException e)
        {
            throw new FormatException("the message data is not base64", e);
        }

        var published = Text(message, "publishTime") ?? Text(message, "publish_time");
        return new PubSubMessage(id, data, DateTimeOffset.TryParse(published, System.Globalization.CultureInfo.InvariantCulture, out var at) ? at : null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
