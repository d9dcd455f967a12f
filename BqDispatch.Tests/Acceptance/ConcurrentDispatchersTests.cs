using Xunit;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using BqDispatch.Tests.Support;

namespace BqDispatch.Tests.Acceptance;

/// <summary>
/// L4: two dispatchers run at once over the same folders, their storage calls interleaved at random. Every
/// DONE trace ends in exactly one trigger object and every due window in exactly one _batch_ copy, each
/// created exactly once, also when a consumer as fast as can be (BqTail) deletes trigger objects between any two
/// calls and answers are lost after the calls took effect (issue 9).
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

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Two_dispatchers_a_fast_consumer_and_lost_answers_create_each_trigger_object_once(int seed)
    {
        var end = DateTimeOffset.FromUnixTimeSeconds(1700000000);
        await using var f = await Fixture(new { MaxHandOffsPerCycle = 1000 }, end + TimeSpan.FromSeconds(30));
        var random = new Random(seed);
        var destinations = new List<string>();
        var traces = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            // Half are DONE before the dispatchers start, half finish while they run.
            var trace = f.Trace($"proj:p1:US/ds.t{i}--{i}_00001_load--dispatch", TimeSpan.FromSeconds(60 + i));
            f.BigQuery.AddJob(new EmulatedJob("p1", $"ds_t{i}--{i}_00001_load--dispatch", "US", EmulatedJobType.Load, f.BigQuery.Options.CallerEmail, trace.Created)
            {
                RunningAt = trace.Created,
                DoneAt = i % 2 == 0 ? trace.Created + TimeSpan.FromSeconds(1) : f.Clock.UtcNow + TimeSpan.FromSeconds(i % 16),
            });
            traces.Add(trace.Url);
            destinations.Add(f.Url($"trig/_bqjob_/{trace.Created.UtcDateTime:yyyy-MM-dd_HH}/proj:p1:US/ds_t{i}--{i}_00001_load--dispatch.json"));
        }

        var windows = Enumerable.Range(0, 10)
            .Select(i => f.Object($"{f.Tasks}ds.w_{i}_1700000000.win", "{}", TimeSpan.FromMinutes(1)).Url)
            .ToList();
        destinations.AddRange(windows.Select(w => f.Url("trig/_batch_/" + w[f.Tasks.Length..])));

        bool Draw(double p)
        {
            lock (random)
            {
                return random.NextDouble() < p;
            }
        }

        // BqTail: whatever trigger objects exist are read and deleted, at any moment between two storage calls.
        void Consume()
        {
            if (Draw(0.3))
            {
                destinations.ForEach(d => f.Store.Remove(d));
            }
        }

        f.Store.BeforeOperation = async (_, _) => await Task.Delay(Draw(0.5) ? 1 : 0);
        if (f.Store is CloudStorageTestStorage gcs)
        {
            // Answers lost after the call took effect, and refusals, on every route; the consumer between any two requests.
            foreach (var route in StorageRoutes.All)
            {
                gcs.Emulator.DropAfterCommitRate(route, 0.05, seed + route.Length);
                gcs.Emulator.ErrorRate(route, 0.05, 503, seed * 7 + route.Length);
            }

            gcs.Emulator.BeforeAnswer = _ => Consume();
        }
        else
        {
            // The consumer after any call; some calls' answers are lost after they took effect.
            f.Store.AfterOperation = (operation, url) =>
            {
                Consume();
                return operation is StoreOperation.Claim or StoreOperation.Copy or StoreOperation.Create or StoreOperation.Delete && Draw(0.05)
                    ? throw new StorageException(url, 0, "the answer was lost")
                    : Task.CompletedTask;
            };
        }

        await Task.WhenAll(Task.Run(() => f.Run(maxCycles: 4)), Task.Run(() => f.Run(maxCycles: 4)));

        // A third dispatcher, without faults, finishes what failed hand-offs left once their claims ran out.
        (f.Store as CloudStorageTestStorage)?.Emulator.ClearFaults();
        f.Store.AfterOperation = (_, _) =>
        {
            Consume();
            return Task.CompletedTask;
        };
        f.WaitOutClaims();
        var last = await f.Run(maxCycles: 1);

        Assert.Equal(StatusDocument.Ok, last.Status);
        Assert.All(traces, t => Assert.False(f.Store.Exists(t), t));
        Assert.Empty(destinations.Where(d => f.Store.CreationCount(d) != 1).Select(d => $"{d} x{f.Store.CreationCount(d)}"));
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
