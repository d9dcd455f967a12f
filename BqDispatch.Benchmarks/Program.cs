using System.Globalization;
using System.Text.Json;
using BqDispatch.Benchmarks;

// usage: dotnet run -c Release --project BqDispatch.Benchmarks -- [--latency-ms 20] [--only name,name] [--json FILE] [--polling-parallelism 64] [--durable]
//        dotnet run -c Release --project BqDispatch.Benchmarks -- soak [--minutes 2] [--traces-per-second 20] [--faults 0.1] [--seed 1] [--json FILE]
//        dotnet run -c Release --project BqDispatch.Benchmarks -- lanes-5k [--latency-ms 20] [--json FILE]
//        dotnet run -c Release --project BqDispatch.Benchmarks -- events-2k [--latency-ms 20] [--idle-sec 60] [--drop 0.02] [--json FILE]
//        dotnet run -c Release --project BqDispatch.Benchmarks -- routes-10k [--latency-ms 20] [--jobs-per-second 100] [--seconds 60]
//        dotnet run -c Release --project BqDispatch.Benchmarks -- groups-1k [--latency-ms 20] [--seconds 60]
// (--emulators NAME --now MS is the child process that serves the emulators of one workload)
if (args.Length > 0 && args[0] == "soak")
{
    return await BqDispatch.Benchmarks.Soak.SoakCommand.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == "lanes-5k")
{
    return await BqDispatch.Benchmarks.Lanes.LanesCommand.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == "events-2k")
{
    return await BqDispatch.Benchmarks.Events.EventsCommand.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == "routes-10k")
{
    return await BqDispatch.Benchmarks.Routes.RoutesCommand.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == "groups-1k")
{
    return await BqDispatch.Benchmarks.Groups.GroupsCommand.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length == 4 && args[0] == "--emulators" && args[2] == "--now")
{
    var workloadToServe = Workload.All.Single(w => w.Name == args[1]);
    var seededAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(args[3], CultureInfo.InvariantCulture));
    return await EmulatorHost.Serve(workloadToServe, seededAt, Console.In, Console.Out);
}

var latencyMs = 20;
var pollingParallelism = 64;
string? only = null;
string? jsonFile = null;
var durable = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--latency-ms":
            latencyMs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--polling-parallelism":
            pollingParallelism = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--only":
            only = args[++i];
            break;
        case "--json":
            jsonFile = args[++i];
            break;
        case "--durable":
            durable = true;
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; known: --latency-ms N, --only a,b, --json FILE, --polling-parallelism N, --durable");
            return 2;
    }
}

var selected = Workload.All.Where(w => only is null || only.Split(',').Contains(w.Name)).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"no workload matches '{only}'; known: {string.Join(", ", Workload.All.Select(w => w.Name))}");
    return 2;
}

if (durable)
{
    return await DurableComparison.Run(selected, TimeSpan.FromMilliseconds(latencyMs), pollingParallelism, Console.Error, Console.Out);
}

Console.Error.WriteLine($"benchmark: {selected.Count} workload(s), {latencyMs} ms per request on both emulators, per-job polling with {pollingParallelism} calls in flight");
// A dispatcher runs for hours in production: measure warm code, not the first calls through the JIT.
Console.Error.WriteLine("benchmark: warm-up (one unmeasured pending-1k cycle)");
await BenchmarkRunner.Run(Workload.All[0], TimeSpan.FromMilliseconds(latencyMs), pollingParallelism, TextWriter.Null);

var results = new List<Measurement>();
foreach (var workload in selected)
{
    results.Add(await BenchmarkRunner.Run(workload, TimeSpan.FromMilliseconds(latencyMs), pollingParallelism, Console.Error));
}

Console.WriteLine(Report.Table(results, latencyMs));
var json = JsonSerializer.Serialize(new { LatencyMs = latencyMs, Results = results }, new JsonSerializerOptions { WriteIndented = true });
if (jsonFile is not null)
{
    await File.WriteAllTextAsync(jsonFile, json);
    Console.Error.WriteLine($"benchmark: JSON summary written to {jsonFile}");
}
else
{
    Console.WriteLine(json);
}

return results.All(r => r.Status == "ok") ? 0 : 1;
