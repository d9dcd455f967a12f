using System.Diagnostics;
using System.Text.RegularExpressions;

namespace BqDispatch.DurableHost;

/// <summary>
/// The Azure Storage emulator (npm package azurite) on 127.0.0.1, on ports it picks, with its data in a temporary
/// folder that goes with it. Found as AZURITE (a path), in the repository's .tools folder, or on PATH; when it is in
/// none of them it is installed into .tools with npm first (about 20 s, once).
/// </summary>
public sealed partial class Azurite : IAsyncDisposable
{
    public const string Version = "3.37.0";

    // The well-known development account of every Azure Storage emulator.
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    private readonly Process process;
    private readonly string dataFolder;

    private Azurite(Process process, string dataFolder, int blobPort, int queuePort, int tablePort)
    {
        this.process = process;
        this.dataFolder = dataFolder;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{Account};QueueEndpoint=http://127.0.0.1:{queuePort}/{Account};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{Account};";
    }

    public string ConnectionString { get; }

    public static async Task<Azurite> Start(Action<string>? progress = null, CancellationToken cancellation = default)
    {
        var executable = await Executable(progress, cancellation);
        var data = Directory.CreateTempSubdirectory("azurite-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--location", data, "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", "0",
            "--queueHost", "127.0.0.1", "--queuePort", "0",
            "--tableHost", "127.0.0.1", "--tablePort", "0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        process.OutputDataReceived += (_, line) => Listening(line.Data, ports, output, ready);
        process.ErrorDataReceived += (_, line) => Listening(line.Data, ports, output, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            // Whichever comes first: listening on all three ports, or the process ending.
            var exited = process.WaitForExitAsync(timeout.Token);
            if (await Task.WhenAny(ready.Task, exited) != ready.Task)
            {
                await exited;
                throw new InvalidOperationException($"Azurite ({executable}) exited with code {process.ExitCode}: {Said(output)}");
            }
        }
        catch (OperationCanceledException)
        {
            Stop(process);
            throw new InvalidOperationException($"Azurite ({executable}) did not start listening within 60 s: {Said(output)}");
        }

        return new Azurite(process, data, ports["Blob"], ports["Queue"], ports["Table"]);
    }

    public async ValueTask DisposeAsync()
    {
        Stop(process);
        await process.WaitForExitAsync(CancellationToken.None);
        process.Dispose();
        try
        {
            Directory.Delete(dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the exiting process: the temporary folder is cleaned by the system later.
        }
    }

    private static void Listening(string? line, Dictionary<string, int> ports, List<string> output, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Add(line);
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (ports.Count == 3)
                {
                    ready.TrySetResult();
                }
            }
        }
    }

    private static string Said(List<string> output)
    {
        lock (output)
        {
            return string.Join(" | ", output.TakeLast(5));
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static async Task<string> Executable(Action<string>? progress, CancellationToken cancellation)
    {
        if (Environment.GetEnvironmentVariable("AZURITE") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"AZURITE names {configured}, which does not exist");
        }

        var tools = ToolsFolder();
        var installed = Path.Combine(tools, "node_modules", ".bin", "azurite");
        if (File.Exists(installed))
        {
            return installed;
        }

        if (OnPath("azurite") is { } onPath)
        {
            return onPath;
        }

        await InstallGate.WaitAsync(cancellation);
        try
        {
            if (!File.Exists(installed))
            {
                progress?.Invoke($"installing azurite {Version} into {tools} with npm (once)");
                await Install(tools, cancellation);
            }
        }
        finally
        {
            InstallGate.Release();
        }

        return installed;
    }

    private static async Task Install(string tools, CancellationToken cancellation)
    {
        Directory.CreateDirectory(tools);
        var npm = OnPath("npm") ?? throw new InvalidOperationException(
            "Azurite is needed and npm is not on PATH to install it: install Node.js, or set AZURITE to an azurite executable");
        var install = new ProcessStartInfo(npm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "install", "--no-audit", "--no-fund", "--prefix", tools, $"azurite@{Version}" })
        {
            install.ArgumentList.Add(argument);
        }

        using var process = Process.Start(install) ?? throw new InvalidOperationException("could not start npm");
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        await process.StandardOutput.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm install azurite@{Version} failed ({process.ExitCode}): {(await stderr).Trim()}");
        }
    }

    /// <summary>The repository's .tools folder (git-ignored), or one in the temporary folder outside a checkout.</summary>
    private static string ToolsFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "BqDispatch.slnx")))
            {
                return Path.Combine(folder.FullName, ".tools");
            }
        }

        return Path.Combine(Path.GetTempPath(), "bqdispatch-tools");
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
