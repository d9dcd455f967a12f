using BqDispatch.Core.Google;
using BqDispatch.Core.Storage.Gcs;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Tests.Gcs;

/// <summary>A running Cloud Storage emulator and a GcsStore behind a RetryHandler (no real sleeping) pointed at it over HTTP.</summary>
internal sealed class GcsHarness : IAsyncDisposable
{
    public const string Bucket = "bucket";

    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private GcsHarness(CloudStorageEmulator emulator, HttpClient http, GcsStore store, List<TimeSpan> delays)
    {
        Emulator = emulator;
        Http = http;
        Store = store;
        Delays = delays;
    }

    public CloudStorageEmulator Emulator { get; }

    public HttpClient Http { get; }

    public GcsStore Store { get; }

    /// <summary>The waits the retry handler asked for (none are slept).</summary>
    public List<TimeSpan> Delays { get; }

    public static async Task<GcsHarness> Start(CloudStorageEmulatorOptions? options = null, RetryPolicy? policy = null, int pageSize = GcsStore.DefaultPageSize)
    {
        var emulator = await CloudStorageEmulator.StartAsync(options ?? new CloudStorageEmulatorOptions { Clock = () => T0 });
        var delays = new List<TimeSpan>();
        var retry = new RetryHandler(
            policy ?? RetryPolicy.Default with { MaxAttempts = 10, Deadline = TimeSpan.FromMinutes(10) },
            (wait, _) =>
            {
                lock (delays)
                {
                    delays.Add(wait);
                }

                return Task.CompletedTask;
            })
        {
            InnerHandler = new SocketsHttpHandler(),
        };
        var http = new HttpClient(retry) { Timeout = TimeSpan.FromSeconds(60) };
        emulator.CreateBucket(Bucket);
        var environment = new Dictionary<string, string?> { [GcsStore.EmulatorHostVariable] = emulator.HostAndPort };
        return new GcsHarness(emulator, http, new GcsStore(http, GcsStore.BaseUrlFrom(environment), pageSize), delays);
    }

    public static string Url(string name) => $"gs://{Bucket}/{name}";

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}
