using System.Text.Json;
using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using CoreStatus = DurableTask.Core.OrchestrationStatus;

namespace BqDispatch.DurableHost;

/// <summary>
/// The <see cref="DurableTaskClient"/> the app's timer and HTTP functions get from [DurableClient], here over the task
/// hub's own service instead of the Functions host's gRPC channel. Payloads go through the worker's data converter;
/// a start refuses an instance id whose instance is active, as the host does by default
/// (overridableExistingInstanceStates = NonRunningStates).
/// </summary>
public sealed class TaskHubDurableClient(AzureStorageOrchestrationService service, DataConverter converter) : DurableTaskClient("local")
{
    private static readonly CoreStatus[] ActiveStatuses = [CoreStatus.Running, CoreStatus.ContinuedAsNew, CoreStatus.Pending, CoreStatus.Suspended];

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var instance = new OrchestrationInstance
        {
            InstanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N"),
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        var message = new TaskMessage
        {
            OrchestrationInstance = instance,
            Event = new ExecutionStartedEvent(-1, converter.Serialize(input))
            {
                Name = orchestratorName.Name,
                Version = "",
                OrchestrationInstance = instance,
                ScheduledStartTime = options?.StartAt?.UtcDateTime,
            },
        };

        // Throws OrchestrationAlreadyExistsException when the instance is active (ThrowExceptionOnInvalidDedupeStatus).
        await service.CreateTaskOrchestrationAsync(message, ActiveStatuses);
        return instance.InstanceId;
    }

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(
        string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        // The backend answers an unknown id with a list holding null.
        var states = await service.GetOrchestrationStateAsync(instanceId, allExecutions: false);
        return states?.FirstOrDefault() is { } state ? Metadata(state, getInputsAndOutputs) : null;
    }

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        return service.ForceTerminateTaskOrchestrationAsync(instanceId, converter.Serialize(options?.Output));
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        Send(instanceId, new EventRaisedEvent(-1, converter.Serialize(eventPayload)) { Name = eventName });

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        Send(instanceId, new ExecutionSuspendedEvent(-1, reason));

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        Send(instanceId, new ExecutionResumedEvent(-1, reason));

    public override async Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(
        string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        var state = await service.WaitForOrchestrationAsync(instanceId, null!, Timeout.InfiniteTimeSpan, cancellation)
            ?? throw new InvalidOperationException($"no instance {instanceId}");
        return Metadata(state, getInputsAndOutputs);
    }

    public override async Task<OrchestrationMetadata> WaitForInstanceStartAsync(
        string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        while (true)
        {
            if (await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation) is { RuntimeStatus: not OrchestrationRuntimeStatus.Pending } started)
            {
                return started;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellation);
        }
    }

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        throw new NotSupportedException("instance queries are not used by the app");

    public override DurableEntityClient Entities { get; } = new TaskHubEntityClient(service, converter);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The history of the instance's current execution (each run of the chain is one execution), oldest first.</summary>
    public async Task<IReadOnlyList<HistoryEntry>> History(string instanceId)
    {
        var states = await service.GetOrchestrationStateAsync(instanceId, allExecutions: false);
        if (states?.FirstOrDefault() is not { } state)
        {
            return [];
        }

        var json = await service.GetOrchestrationHistoryAsync(instanceId, state.OrchestrationInstance.ExecutionId);
        using var history = JsonDocument.Parse(json);
        return history.RootElement.EnumerateArray().Select(HistoryEntry.Of).ToList();
    }

    /// <summary>The event types (DurableTask.Core's EventType names) of the current execution's history.</summary>
    public async Task<IReadOnlyList<string>> HistoryEventTypes(string instanceId) =>
        (await History(instanceId)).Select(e => e.Type).ToList();

    private Task Send(string instanceId, HistoryEvent historyEvent) =>
        service.SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId },
            Event = historyEvent,
        });

    private OrchestrationMetadata Metadata(OrchestrationState state, bool getInputsAndOutputs) =>
        new(state.Name, state.OrchestrationInstance.InstanceId)
        {
            DataConverter = converter,
            RuntimeStatus = (OrchestrationRuntimeStatus)state.OrchestrationStatus,
            CreatedAt = Utc(state.CreatedTime),
            LastUpdatedAt = Utc(state.LastUpdatedTime),
            SerializedInput = getInputsAndOutputs ? state.Input : null,
            SerializedOutput = getInputsAndOutputs ? state.Output : null,
            SerializedCustomStatus = getInputsAndOutputs ? state.Status : null,
            FailureDetails = Failure(state.FailureDetails),
        };

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static TaskFailureDetails? Failure(FailureDetails? details) => details is null
        ? null
        : new TaskFailureDetails(details.ErrorType, details.ErrorMessage, details.StackTrace, Failure(details.InnerFailure), null);
}

/// <summary>
/// One history event, as much of it as measurements need: what it is, when the runtime made it, and what pairs it
/// with its answer (an activity's TaskScheduledId; an entity call's request id, which its EventRaised is named by).
/// </summary>
public sealed record HistoryEntry(string Type, DateTime Timestamp, int EventId, int? TaskScheduledId, string? Name, string? RequestId)
{
    public static HistoryEntry Of(JsonElement e)
    {
        string? Text(string name) => e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var type = (EventType)e.GetProperty("EventType").GetInt32();
        string? requestId = null;
        if (type == EventType.EventSent && Text("Input") is { } input)
        {
            using var request = JsonDocument.Parse(input);
            requestId = request.RootElement.TryGetProperty("id", out var id) ? id.GetString() : null;
        }

        return new HistoryEntry(
            type.ToString(),
            e.GetProperty("Timestamp").GetDateTime(),
            e.GetProperty("EventId").GetInt32(),
            e.TryGetProperty("TaskScheduledId", out var scheduled) ? scheduled.GetInt32() : null,
            Text("Name"),
            requestId);
    }
}
