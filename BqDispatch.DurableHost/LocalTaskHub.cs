using BqDispatch.Functions;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BqDispatch.DurableHost;

/// <summary>How a local task hub runs.</summary>
/// <param name="PollingInterval">Longest wait between queue polls when idle (Azure's default is 30 s).</param>
/// <param name="AfterActivity">Runs after each activity's body with its name and duration (measurements; a fault
/// injected here fails that attempt after its effects landed).</param>
public sealed record LocalTaskHubOptions(TimeSpan PollingInterval, Func<ActivityRun, Task>? AfterActivity = null)
{
    public static readonly LocalTaskHubOptions Default = new(TimeSpan.FromSeconds(1));
}

/// <summary>
/// The Functions app's orchestrator, activities and entity on a real Durable Task runtime: DurableTask.Core's
/// TaskHubWorker over the Azure Storage backend that Azure Functions uses (here on Azurite), adapted as the
/// Functions worker adapts them (<see cref="DurableTaskShimFactory"/>, the worker's serializer, entities on their own
/// queue). There is no Functions host: the timer and HTTP functions are called with <see cref="Client"/>.
/// </summary>
public sealed class LocalTaskHub : IAsyncDisposable
{
    private readonly AzureStorageOrchestrationService service;
    private readonly TaskHubWorker worker;

    private LocalTaskHub(AzureStorageOrchestrationService service, TaskHubWorker worker, TaskHubDurableClient client, FunctionCatalog functions)
    {
        this.service = service;
        this.worker = worker;
        Client = client;
        Functions = functions;
    }

    public TaskHubDurableClient Client { get; }

    public FunctionCatalog Functions { get; }

    /// <param name="app">The app's services, as Program.cs registers them (AppServices), plus logging and telemetry.</param>
    public static async Task<LocalTaskHub> Start(
        string storageConnectionString, string taskHubName, IServiceProvider app, LocalTaskHubOptions? options = null)
    {
        options ??= LocalTaskHubOptions.Default;
        var loggers = app.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var converter = new WorkerDataConverter(AppServices.Serializer);
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { DataConverter = converter, EnableEntitySupport = true }, loggers);
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = taskHubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(storageConnectionString),
            PartitionCount = 1,
            MaxQueuePollingInterval = options.PollingInterval,
            // As the Functions host runs them: entities on their own work-item queue, and a start under the id of an
            // active instance refused with OrchestrationAlreadyExistsException.
            UseSeparateQueueForEntityWorkItems = true,
            ThrowExceptionOnInvalidDedupeStatus = true,
            LoggerFactory = loggers,
        });
        await service.CreateIfNotExistsAsync();

        var functions = FunctionCatalog.Of(typeof(AppServices).Assembly, shims, app, options.AfterActivity);
        var worker = new TaskHubWorker(service, functions.Orchestrations, functions.Activities, functions.Entities, loggers)
        {
            // What the SDK's shims expect: failures travel as FailureDetails (TaskFailedException.FailureDetails).
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        await worker.StartAsync();
        return new LocalTaskHub(service, worker, new TaskHubDurableClient(service, converter), functions);
    }

    /// <summary>Stops the worker; with <paramref name="delete"/>, removes the task hub's queues, tables and blobs.</summary>
    public async Task Stop(bool delete)
    {
        await worker.StopAsync(isForced: true);
        if (delete)
        {
            await service.DeleteAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stop(delete: true);
        worker.Dispose();
    }
}
