using Azure.Core.Serialization;
using BqDispatch.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BqDispatch.Functions;

/// <summary>What the app adds to the Functions worker, in one place so a local Durable host wires it the same way.</summary>
public static class AppServices
{
    /// <summary>The worker's serializer, and so Durable's data converter: the status document's JSON options.</summary>
    public static readonly ObjectSerializer Serializer = new JsonObjectSerializer(DurableJson.Options);

    /// <summary>
    /// One dispatcher per process, from the CONFIG app setting (JSON text or its URL), built on first use; and the
    /// clock the watchdog decides by.
    /// </summary>
    public static IServiceCollection AddDispatcher(this IServiceCollection services, IReadOnlyDictionary<string, string?> environment)
    {
        services.AddSingleton(_ => new LazyDispatcherSetup(ct => DispatcherSetup.Create(null, environment, ct)));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
