using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace BqDispatch.Benchmarks;

/// <summary>The runner's handle on the emulator child process (this program started with --emulators).</summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private readonly Process process;

    private EmulatorProcess(Process process, EmulatorEndpoints endpoints)
    {
        this.process = process;
        Endpoints = endpoints;
    }

    public EmulatorEndpoints Endpoints { get; }

    public static async Task<EmulatorProcess> Start(Workload workload, DateTimeOffset now)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in new[] { "--emulators", workload.Name, "--now", now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the emulator process");
        var first = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the emulator process ended before it was ready");
        return new EmulatorProcess(process, JsonSerializer.Deserialize<EmulatorEndpoints>(first)!);
    }

    public Task Latency(TimeSpan latency) => Ask<string>($"latency {(int)latency.TotalMilliseconds}");

    public Task Reset() => Ask<string>("reset");

    public Task<EmulatorCounters> Counters() => Ask<EmulatorCounters>("counters");

    public async ValueTask DisposeAsync()
    {
        await process.StandardInput.WriteLineAsync("exit");
        await process.StandardInput.FlushAsync();
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private async Task<T> Ask<T>(string command)
    {
        await process.StandardInput.WriteLineAsync(command);
        await process.StandardInput.FlushAsync();
        var answer = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException($"the emulator process ended on '{command}'");
        return JsonSerializer.Deserialize<T>(answer)!;
    }
}
