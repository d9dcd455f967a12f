using System.Globalization;
using System.Text.Json;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks;

/// <summary>
/// The child process of a benchmark: both emulators with a seeded workload, so the dispatcher's memory is measured
/// alone. It prints its endpoints, then answers one command per line on stdin: "latency MS", "reset", "counters", "exit".
/// </summary>
public static class EmulatorHost
{
    public static async Task<int> Serve(Workload workload, DateTimeOffset now, TextReader input, TextWriter output)
    {
        await using var storage = await CloudStorageEmulator.StartAsync();
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        WorkloadSeeder.Seed(workload, now, storage, bigQuery);
        await Reply(output, new EmulatorEndpoints(storage.BaseUrl.ToString(), bigQuery.BaseUrl.ToString()));

        while (await input.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "latency":
                    storage.Latency = bigQuery.Latency = TimeSpan.FromMilliseconds(int.Parse(words[1], CultureInfo.InvariantCulture));
                    await Reply(output, "ok");
                    break;
                case "reset":
                    storage.ResetCounters();
                    bigQuery.ResetCounters();
                    await Reply(output, "ok");
                    break;
                case "counters":
                    await Reply(output, new EmulatorCounters(
                        StorageRoutes.All.Where(r => r != StorageRoutes.Other).ToDictionary(r => r, storage.Calls),
                        new Dictionary<string, int> { ["jobs.list"] = bigQuery.ListCalls, ["jobs.get"] = bigQuery.GetCalls }));
                    break;
                case "exit":
                    return 0;
                default:
                    await Reply(output, $"unknown command: {line}");
                    break;
            }
        }

        return 0;
    }

    private static async Task Reply<T>(TextWriter output, T value)
    {
        await output.WriteLineAsync(JsonSerializer.Serialize(value));
        await output.FlushAsync();
    }
}

public sealed record EmulatorEndpoints(string Storage, string BigQuery);

public sealed record EmulatorCounters(Dictionary<string, int> Storage, Dictionary<string, int> BigQuery);
