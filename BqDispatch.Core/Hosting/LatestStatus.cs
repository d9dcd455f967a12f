using System.Net;
using System.Text;
using System.Text.Json;

namespace BqDispatch.Core.Hosting;

/// <summary>What a host knows about the dispatch instance, read from Durable's instance metadata.</summary>
/// <param name="SerializedCustomStatus">The running summary (<see cref="RunSummary"/>) as JSON, if any.</param>
/// <param name="Failure">The failure message of a failed run.</param>
public sealed record InstanceView(
    string InstanceId,
    RunState State,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? LastUpdatedAt = null,
    string? SerializedCustomStatus = null,
    string? Failure = null);

/// <summary>The status endpoint's answer.</summary>
public sealed record StatusReply(HttpStatusCode StatusCode, string Json);

/// <summary>
/// The body of the "latest status" endpoint: the instance's state, the running summary of the run in progress
/// (custom status), and the status document of the last finished run (JournalURL/status.json), embedded as its
/// exact text, so it is byte for byte what `bqdispatch once` prints.
/// </summary>
public static class LatestStatus
{
    public static StatusReply Compose(InstanceView view, string? lastRunDocument)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("InstanceId", view.InstanceId);
            json.WriteString("RuntimeStatus", view.State.ToString());
            if (view.State == RunState.NotFound)
            {
                json.WriteString("Message", "no run has been started yet under this instance id");
            }
            else
            {
                WriteTime(json, "CreatedAt", view.CreatedAt);
                WriteTime(json, "LastUpdatedAt", view.LastUpdatedAt);
                WriteEmbedded(json, "Summary", view.SerializedCustomStatus);
                if (view.Failure is not null)
                {
                    json.WriteString("Failure", view.Failure);
                }
            }

            WriteEmbedded(json, "LastRun", lastRunDocument);
            json.WriteEndObject();
        }

        var code = view.State == RunState.NotFound ? HttpStatusCode.NotFound : HttpStatusCode.OK;
        return new StatusReply(code, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            json.WriteString(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // Embedded as the stored text; a payload that is not JSON (it always should be) is shown as a string.
    private static void WriteEmbedded(Utf8JsonWriter json, string name, string? text)
    {
        json.WritePropertyName(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            json.WriteNullValue();
            return;
        }

        try
        {
            json.WriteRawValue(text, skipInputValidation: false);
        }
        catch (JsonException)
        {
            json.WriteStringValue(text);
        }
    }
}
