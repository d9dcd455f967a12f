using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Emulators;

/// <summary>A Kestrel server on 127.0.0.1 at a free port, answering every request with one handler: the body of each emulator.</summary>
internal static class LoopbackServer
{
    public static async Task<(WebApplication App, Uri Root)> Start(RequestDelegate handler, long maxRequestBodySize = 30 * 1024 * 1024)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxRequestBodySize);
        var app = builder.Build();
        app.Run(handler);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException("Kestrel reported no bound address.");
        }

        return (app, new Uri(address.TrimEnd('/') + "/"));
    }
}
