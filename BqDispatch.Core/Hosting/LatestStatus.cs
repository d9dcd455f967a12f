using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BqDispatch.Core.Hosting;

/// <summary>What a host knows about the dispatch instance, read from Durable's instance metadata.</summary>
/// <param name="SerializedCustomStatus">The running summary (<see cref="RunSummary"/>) as JSON, if any.</param>
/// <param name="SerializedOutput">The final status document as JSON, once the run completed.</param>
/// <param name="Failure">The failure message of a failed run.</param>
public sealed record InstanceView(
    string InstanceId,
    RunState State,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? LastUpdatedAt = null,
    string? SerializedCustomStatus = null,
    string? SerializedOutput = null,
    string? Failure = null);

/// <summary>The status endpoint's answer.</summary>
public sealed record StatusReply(HttpStatusCode StatusCode, string Json);

/// <summary>
/// The body of the "latest status" endpoint: the instance's state, its running summary (custom status) and,
/// once the run is over, its status document (the orchestration output).
/// </summary>
public static class LatestStatus
{
    public static StatusReply Compose(InstanceView view)
    {
        var body = new JsonObject
        {
            ["InstanceId"] = view.InstanceId,
            ["RuntimeStatus"] = view.State.ToString(),
        };
        if (view.State == RunState.NotFound)
        {
            body["Message"] = "no run has been started yet under this instance id";
            return new StatusReply(HttpStatusCode.NotFound, body.ToJsonString());
        }

        body["CreatedAt"] = view.CreatedAt;
        body["LastUpdatedAt"] = view.LastUpdatedAt;
        body["Summary"] = Parse(view.SerializedCustomStatus);
        body["Document"] = view.State == RunState.Completed ? Parse(view.SerializedOutput) : null;
        if (view.Failure is not null)
        {
            body["Failure"] = view.Failure;
        }

        return new StatusReply(HttpStatusCode.OK, body.ToJsonString());
    }

    // A payload that is not JSON (it always should be) is shown as text rather than failing the endpoint.
    private static JsonNode? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
