using BqDispatch.Core.Google;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Storage.Gcs;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Tests.Support;

/// <summary>gs:// through the real Cloud Storage client (with the retry handler) over HTTP to the emulator on 127.0.0.1.</summary>
public sealed class CloudStorageTestStorage : TestStorage
{
    private readonly CloudStorageEmulator emulator;
    private readonly HttpClient http;
    private readonly GcsStore client;

    /// <summary>Tests retry fast: the policy's shape matters to them, not production's waits.</summary>
    public static readonly RetryPolicy FastRetry = RetryPolicy.Default with
    {
        InitialDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(10),
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };

    private CloudStorageTestStorage(CloudStorageEmulator emulator, RetryPolicy retry)
    {
        this.emulator = emulator;
        http = new HttpClient(new RetryHandler(retry) { InnerHandler = new SocketsHttpHandler() });
        client = new GcsStore(http, emulator.BaseUrl.ToString());
    }

    public CloudStorageEmulator Emulator => emulator;

    public override string Scheme => StorageUrl.GsScheme;

    protected override IObjectStore Client => client;

    public static async Task<CloudStorageTestStorage> Start(Func<DateTimeOffset> clock, RetryPolicy? retry = null, long rewriteChunkBytes = 0) =>
        new(await CloudStorageEmulator.StartAsync(new CloudStorageEmulatorOptions { Clock = clock, RewriteChunkBytes = rewriteChunkBytes }), retry ?? FastRetry);

    public override void CreateBucket(string name) => emulator.CreateBucket(name);

    public override StoredObject Seed(string url, ReadOnlySpan<byte> content, DateTimeOffset created)
    {
        var (bucket, name) = Split(url);
        var seeded = emulator.Seed(bucket, name, content, created);
        return new StoredObject(url, name[(name.LastIndexOf('/') + 1)..], seeded.Generation, seeded.Size, seeded.Created, seeded.Updated);
    }

    public override bool Exists(string url)
    {
        var (bucket, name) = Split(url);
        return emulator.Exists(bucket, name);
    }

    public override int CreationCount(string url)
    {
        var (bucket, name) = Split(url);
        return emulator.CreationCount(bucket, name);
    }

    public override bool Remove(string url)
    {
        var (bucket, name) = Split(url);
        return emulator.Delete(bucket, name);
    }

    public override async ValueTask DisposeAsync()
    {
        http.Dispose();
        await emulator.DisposeAsync();
    }

    private static (string Bucket, string Name) Split(string url)
    {
        var parsed = StorageUrl.Parse(url);
        return (parsed.Bucket, parsed.Path);
    }
}
