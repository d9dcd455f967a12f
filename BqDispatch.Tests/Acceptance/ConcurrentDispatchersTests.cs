using Xunit;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// L4: two dispatchers run at once over the same folders, their storage calls interleaved at random. Every
/// DONE trace ends in exactly one trigger object and every due window in exactly one _batch_ copy, each
/// created exactly once.
/// </summary>
public abstract class ConcurrentDispatchersTests(StorageKind kind) : AcceptanceTests(kind)
{
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Two_dispatchers_hand_off_each_trace_and_fire_each_window_exactly_once(int seed)
    {
        var end = DateTimeOffset.FromUnixTimeSeconds(1700000000);
        await using var f = await Fixture(new { MaxHandOffsPerCycle = 1000 }, end + TimeSpan.FromSeconds(30));
        var random = new Random(seed);
        var traces = new List<(string Url, string Destination)>();
        for (var i = 0; i < 40; i++)
        {
            var project = i % 2 == 0 ? "p1" : "p2";
            var region = project == "p1" ? "US" : "EU";
            var trace = f.Trace($"proj:{project}:{region}/ds.t{i}--{i}_00001_load--dispatch", TimeSpan.FromSeconds(10 + i));
            f.Job(project, $"ds_t{i}--{i}_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, location: region, created: trace.Created);
            traces.Add((trace.Url, f.Url($"trig/_bqjob_/{trace.Created.UtcDateTime:yyyy-MM-dd_HH}/proj:{project}:{region}/ds_t{i}--{i}_00001_load--dispatch.json")));
        }

        var windows = Enumerable.Range(0, 10)
            .Select(i => f.Object($"{f.Tasks}ds.w_{i}_1700000000.win", "{}", TimeSpan.FromMinutes(1)).Url)
            .ToList();
        f.Store.BeforeOperation = async (_, _) =>
        {
            int delay;
            lock (random)
            {
                delay = random.Next(0, 3);
            }

            await Task.Delay(delay);
        };

        var runs = await Task.WhenAll(Task.Run(() => f.Run(maxCycles: 2)), Task.Run(() => f.Run(maxCycles: 2)));

        foreach (var (url, destination) in traces)
        {
            Assert.False(f.Store.Exists(url), url);
            Assert.Equal(1, f.Store.CreationCount(destination));
        }

        foreach (var window in windows)
        {
            Assert.Equal(1, f.Store.CreationCount(f.Url("trig/_batch_/" + window[f.Tasks.Length..])));
            Assert.Equal(1, f.Store.CreationCount(window[..^4] + ".wis"));
        }

        Assert.All(runs, r => Assert.Equal(StatusDocument.Ok, r.Status));
        Assert.Equal(40, runs.Sum(r => r.Totals.HandedOff));
        Assert.Equal(10, runs.Sum(r => r.Totals.WindowsFired));
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        foreach (var seed in Enumerable.Range(1, 12))
        {
            data.Add(seed);
        }

        return data;
    }
}

public sealed class ConcurrentDispatchersOnMemory() : ConcurrentDispatchersTests(StorageKind.Memory);

public sealed class ConcurrentDispatchersOnCloudStorage() : ConcurrentDispatchersTests(StorageKind.CloudStorage);
