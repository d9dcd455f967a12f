using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BqDispatch.Functions;

/// <summary>One run: Core's flow (cycles until the budget) over the Durable engine; the output is the status document.</summary>
public static class DispatchOrchestrator
{
    [Function(FunctionNames.Orchestrator)]
    public static async Task<StatusDocument> Run([OrchestrationTrigger] TaskOrchestrationContext context, RunSettings settings)
    {
        var log = context.CreateReplaySafeLogger(FunctionNames.Orchestrator);
        var status = await DispatchRun.Execute(new DurableDispatchEngine(context), settings);
        var summary = RunSummary.From(status);
        Log.RunFinished(log, context.InstanceId, summary.Status, summary.Cycles, summary.HandedOff,
            summary.WindowsFired, summary.Backlog, summary.LastError);
        return status;
    }
}
