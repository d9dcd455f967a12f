using System.Diagnostics;
using System.Reflection;
using DurableTask.Core;
using DurableTask.Core.Entities;
using DurableTask.Core.Entities.OperationFormat;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using CoreTaskEntity = DurableTask.Core.Entities.TaskEntity;

namespace BqDispatch.DurableHost;

/// <summary>
/// Finds the app's Durable functions by their bindings, as the Functions host does ([Function] with an
/// [OrchestrationTrigger], [ActivityTrigger] or [EntityTrigger] parameter), and adapts each the way the worker does
/// (<see cref="DurableTaskShimFactory"/>). Function classes are made per invocation from the app's services.
/// </summary>
public sealed class FunctionCatalog
{
    public Registry<TaskOrchestration> Orchestrations { get; } = new();

    public Registry<TaskActivity> Activities { get; } = new();

    public Registry<CoreTaskEntity> Entities { get; } = new();

    /// <summary>Every function name found, by kind ("orchestrator", "activity", "entity").</summary>
    public List<(string Kind, string Name)> Found { get; } = [];

    /// <param name="afterActivity">Runs after an activity's body, before its result is reported.</param>
    public static FunctionCatalog Of(
        Assembly app, DurableTaskShimFactory shims, IServiceProvider services, Func<ActivityRun, Task>? afterActivity = null)
    {
        var catalog = new FunctionCatalog();
        foreach (var method in app.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance)))
        {
            if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
            {
                continue;
            }

            var name = function.Name;
            var parameters = method.GetParameters();
            if (parameters.Any(p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null))
            {
                catalog.Orchestrations.Add(name, () => shims.CreateOrchestration(name, new MethodOrchestrator(method)));
                catalog.Found.Add(("orchestrator", name));
            }
            else if (parameters.Any(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null))
            {
                catalog.Activities.Add(name, () => shims.CreateActivity(name, new MethodActivity(name, method, services, afterActivity)));
                catalog.Found.Add(("activity", name));
            }
            else if (parameters.Any(p => p.GetCustomAttribute<EntityTriggerAttribute>() is not null))
            {
                // The entry point dispatches to the class that declares it (dispatcher.DispatchAsync<T>()).
                var entityType = method.DeclaringType!;
                if (!typeof(ITaskEntity).IsAssignableFrom(entityType))
                {
                    throw new NotSupportedException($"entity function {name}: {entityType.Name} is not an ITaskEntity");
                }

                // Entity names reach the backend lower-cased.
                var entityName = name.ToLowerInvariant();
                catalog.Entities.Add(entityName, () => new EntityBatches(
                    shims, entityName, () => (ITaskEntity)ActivatorUtilities.CreateInstance(services, entityType)));
                catalog.Found.Add(("entity", name));
            }
        }

        return catalog;
    }

    // A function's own exception, not TargetInvocationException, is what its failure details report.
    private static object? Invoke(MethodInfo method, object? target, object?[] arguments) =>
        method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);

    // The result of an awaited function, by its declared return type (an async Task's runtime type is generic too).
    private static async Task<object?> Awaited(MethodInfo method, object? returned)
    {
        if (returned is not Task task)
        {
            return returned;
        }

        await task;
        return method.ReturnType.IsGenericType ? method.ReturnType.GetProperty("Result")!.GetValue(task) : null;
    }

    private static Type OutputOf(MethodInfo method) =>
        method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? method.ReturnType.GetGenericArguments()[0]
            : typeof(object);

    private sealed class MethodOrchestrator(MethodInfo method) : ITaskOrchestrator
    {
        public Type InputType => method.GetParameters().Skip(1).FirstOrDefault()?.ParameterType ?? typeof(object);

        public Type OutputType => OutputOf(method);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            object?[] arguments = method.GetParameters().Length > 1 ? [context, input] : [context];
            return Awaited(method, Invoke(method, null, arguments));
        }
    }

    private sealed class MethodActivity(string name, MethodInfo method, IServiceProvider services, Func<ActivityRun, Task>? after) : ITaskActivity
    {
        public Type InputType => method.GetParameters().Single(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null).ParameterType;

        public Type OutputType => OutputOf(method);

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
            var arguments = method.GetParameters()
                .Select(p => p.ParameterType == typeof(CancellationToken) ? CancellationToken.None : input)
                .ToArray();
            var started = Stopwatch.GetTimestamp();
            var result = await Awaited(method, Invoke(method, target, arguments));
            if (after is not null)
            {
                await after(new ActivityRun(name, Stopwatch.GetElapsedTime(started)));
            }

            return result;
        }
    }

    // The backend asks for an entity by name only; the shim needs the instance id, which the batch carries.
    private sealed class EntityBatches(DurableTaskShimFactory shims, string name, Func<ITaskEntity> create) : CoreTaskEntity
    {
        public override Task<EntityBatchResult> ExecuteOperationBatchAsync(EntityBatchRequest operations) =>
            shims.CreateEntity(name, create(), EntityId.FromString(operations.InstanceId!)).ExecuteOperationBatchAsync(operations);
    }
}

/// <summary>One execution of an activity's body.</summary>
public sealed record ActivityRun(string Name, TimeSpan Took);

/// <summary>Name → factory, case-insensitive, any version: what TaskHubWorker asks for by name.</summary>
public sealed class Registry<T> : INameVersionObjectManager<T>
{
    private readonly Dictionary<string, Func<T>> factories = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => factories.Keys;

    public void Add(string name, Func<T> factory) => factories.Add(name, factory);

    public void Add(ObjectCreator<T> creator) => Add(creator.Name, creator.Create);

    public T? GetObject(string name, string? version) => factories.TryGetValue(name, out var factory) ? factory() : default;
}
