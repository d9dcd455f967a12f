using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Tests.Google;

/// <summary>What a fake endpoint received.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? Authorization => Header("Authorization");

    /// <summary>The body as an application/x-www-form-urlencoded form.</summary>
    public IReadOnlyDictionary<string, string> Form() => FakeGoogle.ParseQuery(Body);
}

/// <summary>
/// One Kestrel server on 127.0.0.1 (random port) standing in for every remote party of a test: the Azure managed
/// identity endpoint, Google STS, IAM credentials, a token endpoint and an API. Each path gets a responder; every
/// request is recorded per path.
/// </summary>
internal sealed class FakeGoogle : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Func<ReceivedRequest, (int Status, string Body)>> routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedRequest> received = new();

    private FakeGoogle(WebApplication app) => this.app = app;

    public Uri Root { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Received => [.. received];

    public static async Task<FakeGoogle> Start()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeGoogle(app);
        app.Run(fake.Handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Root = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    public string Url(string path) => new Uri(Root, path.TrimStart('/')).AbsoluteUri;

    public void On(string path, Func<ReceivedRequest, (int Status, string Body)> respond) => routes[path] = respond;

    public IReadOnlyList<ReceivedRequest> At(string path) => [.. received.Where(request => request.Path == path)];

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    internal static Dictionary<string, string> ParseQuery(string text) =>
        text.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(
                kv => Uri.UnescapeDataString(kv[0].Replace('+', ' ')),
                kv => kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "",
                StringComparer.Ordinal);

    private async Task Handle(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var request = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            ParseQuery(context.Request.QueryString.Value ?? ""),
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body);
        received.Enqueue(request);
        var (status, text) = routes.TryGetValue(request.Path, out var respond) ? respond(request) : (404, "{\"error\":\"no route\"}");
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(text);
    }
}
