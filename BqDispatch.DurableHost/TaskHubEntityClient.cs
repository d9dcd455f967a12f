using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Entities;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;

namespace BqDispatch.DurableHost;

/// <summary>
/// The entity part of <see cref="TaskHubDurableClient"/>: what a client may do with entities (signal one, read its
/// state), over the task hub's own service. Operation inputs and states go through the worker's data converter.
/// </summary>
public sealed class TaskHubEntityClient(AzureStorageOrchestrationService service, DataConverter converter) : DurableEntityClient("local")
{
    private IEntityOrchestrationService Entities => service;

    public override Task SignalEntityAsync(
        EntityInstanceId id, string operationName, object? input = null, SignalEntityOptions? options = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var scheduled = options?.SignalTime is { } at
            ? EntityMessageEvent.GetCappedScheduledTime(DateTime.UtcNow, Entities.EntityBackendProperties!.MaximumSignalDelayTime, at.UtcDateTime)
            : null;
        var signal = ClientEntityHelpers.EmitOperationSignal(
            new OrchestrationInstance { InstanceId = id.ToString() }, Guid.NewGuid(), operationName, converter.Serialize(input), scheduled);
        return service.SendTaskOrchestrationMessageAsync(signal.AsTaskMessage());
    }

    public override async Task<EntityMetadata?> GetEntityAsync(EntityInstanceId id, bool includeState = true, CancellationToken cancellation = default)
    {
        var found = await Entities.EntityBackendQueries!.GetEntityAsync(new EntityId(id.Name, id.Key), includeState, false, cancellation);
        return found is { } metadata
            ? new EntityMetadata(id, metadata.SerializedState is { } state ? new SerializedData(state, converter) : null)
            {
                LastModifiedTime = new DateTimeOffset(DateTime.SpecifyKind(metadata.LastModifiedTime, DateTimeKind.Utc)),
            }
            : null;
    }

    public override async Task<EntityMetadata<T>?> GetEntityAsync<T>(EntityInstanceId id, bool includeState = true, CancellationToken cancellation = default)
    {
        var found = await Entities.EntityBackendQueries!.GetEntityAsync(new EntityId(id.Name, id.Key), includeState, false, cancellation);
        return found is { } metadata
            ? new EntityMetadata<T>(id, metadata.SerializedState is { } state ? converter.Deserialize<T>(state) : default)
            {
                LastModifiedTime = new DateTimeOffset(DateTime.SpecifyKind(metadata.LastModifiedTime, DateTimeKind.Utc)),
            }
            : null;
    }

    public override AsyncPageable<EntityMetadata> GetAllEntitiesAsync(EntityQuery? filter = null) =>
        throw new NotSupportedException("entity queries are not used by the app");

    public override AsyncPageable<EntityMetadata<T>> GetAllEntitiesAsync<T>(EntityQuery? filter = null) =>
        throw new NotSupportedException("entity queries are not used by the app");

    public override Task<CleanEntityStorageResult> CleanEntityStorageAsync(
        CleanEntityStorageRequest? request = null, bool continueUntilComplete = true, CancellationToken cancellation = default) =>
        throw new NotSupportedException("entity storage cleaning is not used by the app");
}
