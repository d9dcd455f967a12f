using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Events;

/// <summary>A failed Pub/Sub call: the HTTP status (0 for transport failures) and Google's message.</summary>
public sealed class PubSubException(int status, string message, Exception? inner = null) : Exception(message, inner)
{
    public int Status { get; } = status;
}

/// <summary>
/// The Pub/Sub REST calls a pull subscriber needs (v1 <c>:pull</c>, <c>:acknowledge</c>, <c>:modifyAckDeadline</c>) with
/// a plain <see cref="HttpClient"/> whose handlers authenticate (scope cloud-platform or pubsub). The whole exchange,
/// body included, is bounded by the client's timeout. None of these calls is retried here: a pull loop repeats itself,
/// and an unacknowledged message comes back.
/// </summary>
public sealed class PubSubClient
{
    public const string DefaultBaseUrl = "https://pubsub.googleapis.com/";

    /// <summary>Points Pub/Sub calls at an emulator (<c>host:port</c> or <c>http://host:port</c>), unauthenticated.</summary>
    public const string EmulatorHostVariable = "PUBSUB_EMULATOR_HOST";

    private readonly HttpClient http;

    public PubSubClient(HttpClient http, string baseUrl = DefaultBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        BaseUrl = ServiceEndpoint.Root(baseUrl);
    }

    public Uri BaseUrl { get; }

    public static string BaseUrlFrom(IReadOnlyDictionary<string, string?> environment) =>
        ServiceEndpoint.FromEnvironment(environment, EmulatorHostVariable, DefaultBaseUrl, "/");

    /// <summary>How long a pull waits on the server for messages before it is given up and counted as empty.</summary>
    public static readonly TimeSpan DefaultPullWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Up to <paramref name="maxMessages"/> messages; an empty list when none arrived within <paramref name="wait"/>
    /// (<see cref="DefaultPullWait"/> by default; shorter than any attempt timeout of the client, so a quiet subscription
    /// is not mistaken for a failing one).
    /// </summary>
    public async Task<IReadOnlyList<ReceivedMessage>> Pull(string subscription, int maxMessages, CancellationToken cancellation, TimeSpan? wait = null)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        waiting.CancelAfter(wait ?? DefaultPullWait);
        JsonDocument document;
        try
        {
            document = await Post(subscription, "pull", new JsonObject { ["maxMessages"] = maxMessages }, waiting.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return [];
        }

        using var _ = document;
        if (!document.RootElement.TryGetProperty("receivedMessages", out var received) || received.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var messages = new List<ReceivedMessage>();
        foreach (var item in received.EnumerateArray())
        {
            if (item.TryGetProperty("ackId", out var ackId) && ackId.ValueKind == JsonValueKind.String && item.TryGetProperty("message", out var message))
            {
                try
                {
                    messages.Add(new ReceivedMessage(ackId.GetString()!, PubSubJson.ReadMessage(message)));
                }
                catch (FormatException)
                {
                    // A message Pub/Sub itself could not have sent: acknowledge it so it stops coming back.
                    messages.Add(new ReceivedMessage(ackId.GetString()!, new PubSubMessage("", [], null)));
                }
            }
        }

        return messages;
    }

    public async Task Acknowledge(string subscription, IReadOnlyCollection<string> ackIds, CancellationToken cancellation)
    {
        if (ackIds.Count > 0)
        {
            using var _ = await Post(subscription, "acknowledge", new JsonObject { ["ackIds"] = Ids(ackIds) }, cancellation);
        }
    }

    /// <summary>Gives the messages <paramref name="seconds"/> more before Pub/Sub redelivers them (0: redeliver now).</summary>
    public async Task ModifyAckDeadline(string subscription, IReadOnlyCollection<string> ackIds, int seconds, CancellationToken cancellation)
    {
        if (ackIds.Count > 0)
        {
            using var _ = await Post(
                subscription, "modifyAckDeadline", new JsonObject { ["ackIds"] = Ids(ackIds), ["ackDeadlineSeconds"] = seconds }, cancellation);
        }
    }

    private static JsonArray Ids(IEnumerable<string> ackIds) => new([.. ackIds.Select(id => (JsonNode)id)]);

    private async Task<JsonDocument> Post(string subscription, string verb, JsonObject body, CancellationToken cancellation)
    {
        var operation = $"{verb} {subscription}";
        var uri = new Uri(BaseUrl, "v1/" + subscription + ":" + verb);
        try
        {
            using var response = await http.PostAsJsonAsync(uri, body, cancellation);
            if (!response.IsSuccessStatusCode)
            {
                var (status, reason, message) = await GoogleErrorParser.Read(response, cancellation);
                throw new PubSubException(status, $"{operation}: HTTP {status}{(reason is null ? "" : " " + reason)}: {message}");
            }

            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation));
        }
        catch (JsonException e)
        {
            throw new PubSubException(502, $"{operation}: the answer is not JSON", e);
        }
        catch (HttpRequestException e)
        {
            throw new PubSubException(0, $"{operation}: transport failure: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new PubSubException(0, $"{operation}: timed out", e);
        }
    }
}
