using System.Net;
using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;
using DurableTask.Core.Exceptions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Functions;

/// <summary>
/// POST /api/events: Pub/Sub push of BigQuery completion events. Anonymous for the Functions host: the OIDC token Pub/Sub
/// signs is the authentication (401/403 without touching anything). A completion starts its job's event orchestration,
/// whose instance id comes from the job, so redeliveries collapse into it; the answer is 2xx only once that start is
/// stored. Anything else is acknowledged and counted in the ledger: redelivery would not fix it.
/// </summary>
public sealed class EventsHttp(LazyDispatcherSetup setup, ILogger<EventsHttp> log)
{
    [Function(FunctionNames.Events)]
    public async Task<HttpResponseData> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "events")] HttpRequestData request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation)
    {
        var dispatcher = await setup.Get(cancellation);
        if (dispatcher.Push is not { } push)
        {
            return await Text(request, HttpStatusCode.NotFound, "push events are not configured (EventAudience, EventServiceAccount)", cancellation);
        }

        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.FirstOrDefault() : null;
        var check = await push.Check(authorization, cancellation);
        if (check.Verdict != PushVerdict.Accepted)
        {
            Log.PushRefused(log, check.Verdict, check.Reason);
            return await Text(request, Status(check.Verdict), check.Reason, cancellation);
        }

        var reading = PushBody.Read(await Body(request.Body, cancellation));
        var counts = EventCounts.Of(reading.Kind);
        if (reading.Completion is { } completion)
        {
            if (!await Start(client, completion, cancellation))
            {
                counts = counts with { Duplicates = 1 };
            }
        }
        else if (reading.Kind == EntryKind.Malformed)
        {
            Log.MalformedEvent(log, reading.Problem ?? "");
        }

        await client.Entities.SignalEntityAsync(CompletionLedgerEntity.Id, nameof(CompletionLedgerEntity.Count), counts, cancellation: cancellation);
        return request.CreateResponse(HttpStatusCode.NoContent);
    }

    /// <summary>Starts the job's event orchestration; false when it exists already (a redelivery).</summary>
    private static async Task<bool> Start(DurableTaskClient client, JobCompletion completion, CancellationToken cancellation)
    {
        var id = EventInstance.Id(completion);
        if (await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellation) is not null)
        {
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(FunctionNames.EventOrchestrator, completion, new StartOrchestrationOptions(id), cancellation);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // Two deliveries at once: the other one started it.
            return false;
        }
    }

    private static async Task<byte[]> Body(Stream body, CancellationToken cancellation)
    {
        // One byte more than a push body may have, so a longer one is seen to be too long without reading it all.
        var buffer = new byte[PushBody.MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellation)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }

    private static HttpStatusCode Status(PushVerdict verdict) => verdict switch
    {
        PushVerdict.Unauthorized => HttpStatusCode.Unauthorized,
        PushVerdict.Forbidden => HttpStatusCode.Forbidden,
        _ => HttpStatusCode.ServiceUnavailable,
    };

    private static async Task<HttpResponseData> Text(HttpRequestData request, HttpStatusCode status, string text, CancellationToken cancellation)
    {
        var response = request.CreateResponse(status);
        _ = response.Headers.TryAddWithoutValidation("Content-Type", "text/plain; charset=utf-8");
        await response.WriteStringAsync(text, cancellation);
        return response;
    }
}
