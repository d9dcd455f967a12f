using System.Net;
using BqDispatch.Core.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Cli;

/// <summary>
/// <c>run --http</c>: <c>GET /</c> answers what Azure's <c>GET /api/status</c> does, <c>GET /queue</c> what
/// <c>GET /api/queue</c> does, on Kestrel. Without authentication, so only on a loopback address.
/// </summary>
public sealed class StatusServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private StatusServer(WebApplication app, Uri root)
    {
        this.app = app;
        Root = root;
    }

    /// <summary>Where it listens, ending with '/'.</summary>
    public Uri Root { get; }

    /// <summary>Reads <c>--http</c>'s value: a loopback address and a port (0 takes a free one), e.g. 127.0.0.1:8282.</summary>
    /// <exception cref="UsageException">Not an address and port, or not a loopback address.</exception>
    public static IPEndPoint Endpoint(string value)
    {
        if (!IPEndPoint.TryParse(value, out var endpoint) || !value.Contains(':', StringComparison.Ordinal))
        {
            throw new UsageException($"--http needs an address and a port, such as 127.0.0.1:8282, not '{value}'");
        }

        return IPAddress.IsLoopback(endpoint.Address)
            ? endpoint
            : throw new UsageException($"--http serves the status without authentication, so only on a loopback address such as 127.0.0.1:8282, not '{value}'");
    }

    public static async Task<StatusServer> Start(
        IPEndPoint endpoint, Func<CancellationToken, Task<StatusReply>> status, Func<CancellationToken, Task<StatusReply>> queue)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        var app = builder.Build();
        app.MapGet("/", async context => await Answer(context, await status(context.RequestAborted)));
        app.MapGet("/queue", async context => await Answer(context, await queue(context.RequestAborted)));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException("Kestrel reported no bound address.");
        }

        return new StatusServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static async Task Answer(HttpContext context, StatusReply reply)
    {
        context.Response.StatusCode = (int)reply.StatusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(reply.Json, context.RequestAborted);
    }
}
