using BqDispatch.Core.Google;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks;

/// <summary>
/// Both emulators in this process, answering after the same latency, with the buckets a workload needs, and the
/// environment that points a dispatcher's real clients at them.
/// </summary>
public sealed class EmulatedGoogle : IAsyncDisposable
{
    private EmulatedGoogle(CloudStorageEmulator storage, BigQueryEmulator bigQuery)
    {
        Storage = storage;
        BigQuery = bigQuery;
    }

    public CloudStorageEmulator Storage { get; }

    public BigQueryEmulator BigQuery { get; }

    public static async Task<EmulatedGoogle> Start(TimeSpan latency, params string[] buckets)
    {
        var storage = await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Latency = latency });
        var bigQuery = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions { Latency = latency });
        foreach (var bucket in buckets)
        {
            storage.CreateBucket(bucket);
        }

        return new EmulatedGoogle(storage, bigQuery);
    }

    /// <summary>STORAGE_EMULATOR_HOST and BIGQUERY_EMULATOR_HOST for <see cref="Core.Hosting.DispatcherSetup"/>.</summary>
    public Dictionary<string, string?> Environment() => new()
    {
        [GoogleAccess.StorageEmulatorHostVariable] = Storage.HostAndPort,
        [GoogleAccess.BigQueryEmulatorHostVariable] = BigQuery.HostAndPort,
    };

    public async ValueTask DisposeAsync()
    {
        await BigQuery.DisposeAsync();
        await Storage.DisposeAsync();
    }
}
