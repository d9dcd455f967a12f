using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BqDispatch.Tests.Support;

/// <summary>How a <see cref="HostileServer"/> answers every request.</summary>
public enum Hostility
{
    /// <summary>200 with Content-Length 100000, then one byte per second.</summary>
    SlowBody,

    /// <summary>The status line, then one byte of headers per second; the headers never end.</summary>
    SlowHeaders,

    /// <summary>200 without a length, then bytes as fast as the client reads them, without end.</summary>
    HugeBody,

    /// <summary>200 whose body breaks off in the middle of a JSON object.</summary>
    InvalidJson,

    /// <summary>200 with a proxy's HTML page.</summary>
    Html,

    /// <summary>200 carrying Google's error envelope.</summary>
    ErrorIn200,

    /// <summary>302 to <see cref="HostileServer.RedirectTo"/>, another host.</summary>
    Redirect,

    /// <summary>200 with a well-formed answer whose int64 fields have 30 digits.</summary>
    Int64Overflow,
}

/// <summary>
/// A raw HTTP/1.1 server on 127.0.0.1 that answers every request of a Google client the way a broken or hostile
/// server would (<see cref="Hostility"/>). Speaking HTTP by hand lets it trickle headers and bodies byte by byte.
/// It records each request line; every connection is closed after one answer.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> requests = new();
    private readonly Task accepting;

    public HostileServer(Hostility hostility)
    {
        Hostility = hostility;
        listener.Start();
        accepting = Accept();
    }

    public Hostility Hostility { get; }

    /// <summary>Where <see cref="Hostility.Redirect"/> points.</summary>
    public Uri RedirectTo { get; init; } = new("http://localhost:9/elsewhere");

    public string HostAndPort => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>Request lines received ("GET /path HTTP/1.1").</summary>
    public IReadOnlyList<string> Requests => [.. requests];

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped while waiting for a connection.
        }

        stopping.Dispose();
    }

    private async Task Accept()
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stopping.Token);
            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var line = await ReadRequestLine(stream);
                requests.Enqueue(line);
                await Answer(stream, line.Split(' ').ElementAtOrDefault(1) ?? "/");
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client gave up (its attempt timed out) or the server stopped.
            }
        }
    }

    /// <summary>Reads the request head (and ignores any body: the dispatcher's reads carry none).</summary>
    private async Task<string> ReadRequestLine(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal)
               && await stream.ReadAsync(buffer, stopping.Token) == 1)
        {
            head.Append((char)buffer[0]);
        }

        return head.ToString().Split("\r\n")[0];
    }

    private async Task Answer(NetworkStream stream, string path)
    {
        switch (Hostility)
        {
            case Hostility.SlowBody:
                await Write(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n{");
                await Trickle(stream, " ");
                break;
            case Hostility.SlowHeaders:
                await Write(stream, "HTTP/1.1 200 OK\r\n");
                await Trickle(stream, "X");
                break;
            case Hostility.HugeBody:
                await Write(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"jobs\":[");
                var block = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
                while (!stopping.IsCancellationRequested)
                {
                    await stream.WriteAsync(block, stopping.Token);
                }

                break;
            case Hostility.Redirect:
                await Write(stream, $"HTTP/1.1 302 Found\r\nLocation: {RedirectTo}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                break;
            default:
                var (type, body) = Body(path);
                var bytes = Encoding.UTF8.GetByteCount(body);
                await Write(stream, $"HTTP/1.1 200 OK\r\nContent-Type: {type}\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n{body}");
                break;
        }
    }

    private (string Type, string Body) Body(string path)
    {
        var bigQuery = path.Contains("/bigquery/", StringComparison.Ordinal);
        return Hostility switch
        {
            Hostility.InvalidJson => ("application/json", "{\"jobs\":[{\"jobReference\":{\"jobId\":"),
            Hostility.Html => ("text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
            Hostility.ErrorIn200 => ("application/json",
                "{\"error\":{\"code\":500,\"message\":\"backend exploded\",\"errors\":[{\"reason\":\"backendError\",\"message\":\"backend exploded\"}]}}"),
            Hostility.Int64Overflow when bigQuery => ("application/json",
                "{\"jobs\":[{\"jobReference\":{\"projectId\":\"p1\",\"jobId\":\"ds_t--1_00001_load--dispatch\",\"location\":\"US\"}," +
                "\"state\":\"DONE\",\"statistics\":{\"creationTime\":\"123456789012345678901234567890\"}}]}"),
            Hostility.Int64Overflow => ("application/json",
                "{\"items\":[{\"name\":\"tasks/x\",\"generation\":\"123456789012345678901234567890\",\"size\":\"1\"," +
                "\"timeCreated\":\"2023-11-14T22:13:28Z\",\"updated\":\"2023-11-14T22:13:28Z\"}]}"),
            _ => throw new InvalidOperationException($"{Hostility} has no fixed body"),
        };
    }

    private Task Write(NetworkStream stream, string text) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), stopping.Token).AsTask();

    /// <summary>One byte per second until the client goes away or the server stops.</summary>
    private async Task Trickle(NetworkStream stream, string unit)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stopping.Token);
            await Write(stream, unit);
        }
    }
}
