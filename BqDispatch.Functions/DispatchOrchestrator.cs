using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BqDispatch.Functions;

/// <summary>
/// One run: Core's flow (cycles until the budget) over the Durable engine, then, in a chain, the next run
/// (ContinueAsNew), so the dispatcher never stops watching and each run's history stays bounded. The settings are
/// read at the start of every run, so a changed configuration takes effect at the next run.
/// </summary>
public static class DispatchOrchestrator
{
    [Function(FunctionNames.Orchestrator)]
    public static async Task<StatusDocument> Run([OrchestrationTrigger] TaskOrchestrationContext context, RunChain? chain)
    {
        chain ??= RunChain.Start;
        if (chain.Previous is not null)
        {
            context.SetCustomStatus(chain.Previous);
        }

        var log = context.CreateReplaySafeLogger(FunctionNames.Orchestrator);
        var settings = await context.CallActivityAsync<RunSettings>(FunctionNames.Settings, chain.Run, DurableDispatchEngine.Retry);
        settings = settings with { MaxCycles = chain.MaxCycles ?? settings.MaxCycles };
        var result = await DispatchRun.Continue(new DurableDispatchEngine(context), settings, chain.Carried ?? RunCarryOver.None);
        var status = result.Status;
        var summary = RunSummary.From(status);
        Log.RunFinished(log, context.InstanceId, chain.Run, summary.Status, summary.Cycles, summary.HandedOff,
            summary.WindowsFired, summary.Backlog, summary.LastError);
        if (chain.Chained)
        {
            context.ContinueAsNew(chain.Next(result));
        }

        return status;
    }
}
