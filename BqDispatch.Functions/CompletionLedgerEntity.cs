using BqDispatch.Core.Events;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Entities;

namespace BqDispatch.Functions;

/// <summary>
/// The dispatcher's ledger of job completions as a durable entity (one per task hub, which is one dispatcher). The state
/// is Core's CompletionLedger; each operation is one of its methods, and Durable runs one at a time.
/// </summary>
public sealed class CompletionLedgerEntity : TaskEntity<CompletionLedger>
{
    public const string Name = "CompletionLedger";

    public void Count(EventCounts counts) => State.Count(counts);

    public bool SightEvent(EventSighting sighting) => State.SightEvent(sighting);

    public void Settle(EventSettlement settlement) => State.Settle(settlement);

    public SweepAnswer Sweep(SweepRequest request) => State.Sweep(request);

    public CompletionReport Report() => State.Report();

    public static readonly EntityInstanceId Id = new(Name, "completions");

    [Function(Name)]
    public static Task Dispatch([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<CompletionLedgerEntity>();
}
