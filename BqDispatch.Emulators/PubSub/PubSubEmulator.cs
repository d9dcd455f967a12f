using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace BqDispatch.Emulators.PubSub;

/// <summary>
/// Google's Pub/Sub emulator (the gcloud component, <c>gcloud beta emulators pubsub start</c>) on 127.0.0.1 at a free
/// port, for the pull receiver's tests, the demo and the benchmark; plus the admin and publisher calls a test needs
/// (topics, subscriptions, publish) over its REST surface. Fails with one clear line when gcloud or the component is
/// not installed.
/// </summary>
public sealed class PubSubEmulator : IAsyncDisposable
{
    private readonly Process process;
    private readonly HttpClient http;

    private PubSubEmulator(Process process, string hostAndPort)
    {
        this.process = process;
        HostAndPort = hostAndPort;
        http = new HttpClient { BaseAddress = new Uri($"http://{hostAndPort}/v1/") };
    }

    /// <summary>"127.0.0.1:port", the value for PUBSUB_EMULATOR_HOST.</summary>
    public string HostAndPort { get; }

    public static async Task<PubSubEmulator> StartAsync(CancellationToken cancellation = default)
    {
        var gcloud = OnPath("gcloud") ?? throw new InvalidOperationException(
            "the Pub/Sub emulator needs gcloud (Google Cloud SDK) with the pubsub-emulator component; .ci/run installs it");
        var port = FreePort();
        var start = new ProcessStartInfo(gcloud) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "beta", "emulators", "pubsub", "start", $"--host-port=127.0.0.1:{port}", "--quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start gcloud");
        var output = new List<string>();
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var emulator = new PubSubEmulator(process, $"127.0.0.1:{port}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (process.HasExited)
            {
                await emulator.DisposeAsync();
                throw new InvalidOperationException($"the Pub/Sub emulator exited ({process.ExitCode}): {Said(output)}");
            }

            if (await emulator.Answers(limit.Token))
            {
                return emulator;
            }

            try
            {
                await Task.Delay(200, limit.Token);
            }
            catch (OperationCanceledException)
            {
                await emulator.DisposeAsync();
                throw new InvalidOperationException($"the Pub/Sub emulator did not answer within 60 s: {Said(output)}");
            }
        }
    }

    /// <summary>Creates projects/<paramref name="project"/>/topics/<paramref name="topic"/>; returns its name.</summary>
    public async Task<string> CreateTopic(string project, string topic)
    {
        var name = $"projects/{project}/topics/{topic}";
        (await http.PutAsJsonAsync(name, new JsonObject())).EnsureSuccessStatusCode();
        return name;
    }

    /// <summary>A pull subscription on the topic; returns its name (the value for EventSubscription).</summary>
    public async Task<string> CreateSubscription(string topicName, string subscription, int ackDeadlineSeconds = 10)
    {
        var project = topicName.Split('/')[1];
        var name = $"projects/{project}/subscriptions/{subscription}";
        (await http.PutAsJsonAsync(name, new JsonObject { ["topic"] = topicName, ["ackDeadlineSeconds"] = ackDeadlineSeconds })).EnsureSuccessStatusCode();
        return name;
    }

    /// <summary>Publishes messages with these data; returns their message ids.</summary>
    public async Task<IReadOnlyList<string>> Publish(string topicName, params byte[][] data)
    {
        var messages = new JsonArray([.. data.Select(d => (JsonNode)new JsonObject { ["data"] = Convert.ToBase64String(d) })]);
        using var response = await http.PostAsJsonAsync(topicName + ":publish", new JsonObject { ["messages"] = messages });
        response.EnsureSuccessStatusCode();
        var ids = (await response.Content.ReadFromJsonAsync<JsonObject>())!["messageIds"]!.AsArray();
        return ids.Select(id => id!.GetValue<string>()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            // gcloud runs the emulator (java) as a child: end the whole tree.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private async Task<bool> Answers(CancellationToken cancellation)
    {
        try
        {
            using var response = await http.GetAsync("projects/probe/topics", cancellation);
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Keep(List<string> output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.Add(line);
            }
        }
    }

    private static string Said(List<string> output)
    {
        lock (output)
        {
            return string.Join(" | ", output.TakeLast(6));
        }
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
