using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;

namespace BqDispatch.Cli.Demo;

/// <summary>
/// The embedded default: no Google account needed. Starts the BigQuery emulator on 127.0.0.1, seeds a workload
/// in in-memory storage, and runs the dispatcher through the real REST client with live progress.
/// </summary>
public static class DemoCommand
{
    public const int DefaultCycles = 8;

    public static async Task<int> Run(Options options, TextWriter stdout, TextWriter stderr, CancellationToken stopping)
    {
        var now = DateTimeOffset.UtcNow;
        await using var bigQuery = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions { Latency = TimeSpan.FromMilliseconds(5) });
        var store = new MemoryStore();
        DemoWorkload.Seed(store, bigQuery, now);
        var config = ConfigLoader.Parse(DemoWorkload.Config, new Dictionary<string, string?>());

        await stderr.WriteLineAsync($"demo: BigQuery emulator on {bigQuery.HostAndPort}; task folder {config.AsyncTaskURL}");
        await stderr.WriteLineAsync($"demo: {await Count(store, config.AsyncTaskURL)} objects waiting; MaxConcurrentSQL {config.MaxConcurrentSQL}, MaxConcurrentLoad {config.MaxConcurrentLoad}");

        using var http = new HttpClient();
        var activities = DispatchActivities.Create(config, store, new JobsRestClient(http, bigQuery.BaseUrl.ToString()));
        var engine = new InProcessEngine(activities, new ThrottleLanes(), SystemClock.Instance, line => stderr.WriteLine("demo: " + line), stopping);
        var status = await DispatchRun.Execute(engine, RunSettings.From(config, options.MaxCycles ?? DefaultCycles));

        await stdout.WriteLineAsync(StatusJson.Serialize(status, indented: true));
        await stderr.WriteLineAsync($"demo: BigQuery calls: {bigQuery.ListCalls} jobs.list, {bigQuery.GetCalls} jobs.get; hand-offs landed in {DemoWorkload.Trigger}:");
        foreach (var url in await All(store, DemoWorkload.Trigger + "/"))
        {
            await stderr.WriteLineAsync("  " + url);
        }

        await stderr.WriteLineAsync($"demo: left in the task folder: {await Count(store, config.AsyncTaskURL)} objects; status {status.Status}");
        return status.Status == StatusDocument.Ok ? 0 : 1;
    }

    private static async Task<int> Count(IObjectStore store, string folder) => (await All(store, folder)).Count;

    private static async Task<List<string>> All(IObjectStore store, string folder)
    {
        var listing = await store.List(folder, CancellationToken.None);
        var urls = listing.Objects.Select(o => o.Url).ToList();
        foreach (var sub in listing.Folders)
        {
            urls.AddRange(await All(store, sub));
        }

        return urls;
    }
}
