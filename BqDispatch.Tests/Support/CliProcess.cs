using System.Diagnostics;
using System.Runtime.InteropServices;
using BqDispatch.Core.Events;
using BqDispatch.Core.Google;
using Xunit;

namespace BqDispatch.Tests.Support;

/// <summary>
/// The real bqdispatch process (the built CLI next to the tests), with its stderr collected line by line and POSIX
/// signals sent to it. Google credentials and emulator hosts of the test process are not inherited.
/// </summary>
public sealed class CliProcess : IDisposable
{
    public const int Sigterm = 15;

    private readonly Process process;
    private readonly List<string> stderr = [];
    private readonly List<string> stdout = [];

    private CliProcess(Process process)
    {
        this.process = process;
    }

    public int ExitCode => process.ExitCode;

    public bool HasExited => process.HasExited;

    /// <param name="environment">Variables to set (an emulator host, the stop grace).</param>
    public static CliProcess Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bqdispatch.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var inherited in new[]
        {
            "CONFIG", GoogleAccess.CredentialsJsonVariable, GoogleAccess.ApplicationCredentialsVariable,
            GoogleAccess.StorageEmulatorHostVariable, GoogleAccess.BigQueryEmulatorHostVariable, PubSubClient.EmulatorHostVariable,
        })
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var cli = new CliProcess(new Process { StartInfo = start });
        cli.process.ErrorDataReceived += (_, line) =>
        {
            lock (cli.stderr)
            {
                cli.stderr.Add(line.Data ?? "");
            }
        };
        cli.process.OutputDataReceived += (_, line) =>
        {
            lock (cli.stdout)
            {
                cli.stdout.Add(line.Data ?? "");
            }
        };
        cli.process.Start();
        cli.process.BeginOutputReadLine();
        cli.process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>The stderr lines so far.</summary>
    public List<string> Errors()
    {
        lock (stderr)
        {
            return [.. stderr];
        }
    }

    /// <summary>The stdout lines so far.</summary>
    public List<string> Output()
    {
        lock (stdout)
        {
            return [.. stdout];
        }
    }

    public void Signal(int signal) => Assert.Equal(0, Native.kill(process.Id, signal));

    public Task WaitForExit(TimeSpan limit) => process.WaitForExitAsync().WaitAsync(limit);

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes (a generous bound, not a measurement).</summary>
    public static async Task<bool> WaitFor(Func<bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        process.Dispose();
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int kill(int pid, int signal);
    }
}
