using System.Text;

namespace BqDispatch.Core.Events;

/// <summary>
/// Reads the body of one Pub/Sub push request: the message's data is a log entry, read by <see cref="AuditLogEntry"/>.
/// A body that is not a push message, or too long to be one of ours, is malformed: acknowledged and counted, since
/// redelivering it would not fix it. Never throws.
/// </summary>
public static class PushBody
{
    /// <summary>An audit entry is a few KiB; this bounds what a request can make the app read.</summary>
    public const int MaxBytes = 1 << 20;

    public static EntryReading Read(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBytes)
        {
            return new EntryReading(EntryKind.Malformed, Problem: $"the push body is longer than {MaxBytes} bytes");
        }

        try
        {
            var (message, _) = PubSubJson.ReadPush(Encoding.UTF8.GetString(body));
            return AuditLogEntry.Read(message.Data);
        }
        catch (FormatException e)
        {
            return new EntryReading(EntryKind.Malformed, Problem: e.Message);
        }
    }
}
