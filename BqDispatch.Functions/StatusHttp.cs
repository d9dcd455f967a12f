using BqDispatch.Core.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Functions;

/// <summary>GET /api/status: the latest status. POST /api/run: start a run now (check-status response).</summary>
public sealed class StatusHttp(LazyDispatcherSetup setup, ILogger<StatusHttp> log)
{
    [Function(FunctionNames.Status)]
    public async Task<HttpResponseData> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "status")] HttpRequestData request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation)
    {
        var instanceId = SingletonRun.InstanceId((await setup.Get(cancellation)).Config);
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellation);
        var reply = LatestStatus.Compose(RunStates.View(instanceId, instance));
        var response = request.CreateResponse(reply.StatusCode);
        _ = response.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        await response.WriteStringAsync(reply.Json, cancellation);
        return response;
    }

    [Function(FunctionNames.RunNow)]
    public async Task<HttpResponseData> StartRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "run")] HttpRequestData request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation)
    {
        var start = await DispatchStarter.Start(client, await setup.Get(cancellation), cancellation);
        if (start.Outcome != StartOutcome.Started)
        {
            Log.RunNowRefused(log, start.InstanceId, start.Outcome);
        }

        return await client.CreateCheckStatusResponseAsync(
            request, start.InstanceId, RunNow.StatusCodeFor(start.Outcome), cancellation);
    }
}
