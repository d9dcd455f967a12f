using System.Net;
using BqDispatch.Core.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Functions;

/// <summary>
/// GET /api/status: the chain's state and the latest status. GET /api/queue: the held work per lane. POST /api/run:
/// start the chain now.
/// </summary>
public sealed class StatusHttp(LazyDispatcherSetup setup, TimeProvider clock, ILogger<StatusHttp> log)
{
    [Function(FunctionNames.Status)]
    public async Task<HttpResponseData> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "status")] HttpRequestData request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation)
    {
        var dispatcher = await setup.Get(cancellation);
        var instanceId = SingletonRun.InstanceId(dispatcher.Config);
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellation);
        var lastRun = await dispatcher.Activities.Publisher.ReadLastRun(cancellation);
        return await Json(request, LatestStatus.Compose(RunStates.View(instanceId, instance), lastRun), cancellation);
    }

    [Function(FunctionNames.Queue)]
    public async Task<HttpResponseData> Queue(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "queue")] HttpRequestData request,
        CancellationToken cancellation)
    {
        var publisher = (await setup.Get(cancellation)).Activities.Publisher;
        return await Json(request, LatestQueue.Compose(await publisher.ReadQueue(cancellation), publisher.QueueUrl), cancellation);
    }

    [Function(FunctionNames.RunNow)]
    public async Task<HttpResponseData> StartRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "run")] HttpRequestData request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation)
    {
        var instanceId = SingletonRun.InstanceId((await setup.Get(cancellation)).Config);
        var start = await DispatchStarter.Start(client, instanceId, watchdog: false, clock.GetUtcNow(), cancellation);
        if (start.Outcome != StartOutcome.Started)
        {
            Log.RunNowRefused(log, start.InstanceId, start.Outcome);
        }

        return await Json(request, RunNow.Reply(instanceId, start.Outcome, RunNow.StatusUrlBeside(request.Url)), cancellation);
    }

    private static async Task<HttpResponseData> Json(HttpRequestData request, StatusReply reply, CancellationToken cancellation)
    {
        var response = request.CreateResponse(reply.StatusCode);
        _ = response.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        if (reply.StatusCode == HttpStatusCode.Accepted)
        {
            _ = response.Headers.TryAddWithoutValidation("Location", RunNow.StatusUrlBeside(request.Url).ToString());
        }

        await response.WriteStringAsync(reply.Json, cancellation);
        return response;
    }
}
