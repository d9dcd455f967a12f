using System.Collections;
using BqDispatch.Core.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Built-in HTTP model (HttpRequestData), so no ConfigureFunctionsWebApplication / ASP.NET Core integration:
// CreateCheckStatusResponseAsync takes HttpRequestData. Durable registers itself (no AddDurableTask* here).
var builder = FunctionsApplication.CreateBuilder(args);

builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();

// The Application Insights provider adds a "Warning and above" rule; remove it so Information logs reach it
// (host.json and the Logging__LogLevel__* settings still filter).
builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
{
    var rule = options.Rules.FirstOrDefault(r => r.ProviderName ==
        "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
    if (rule is not null)
    {
        options.Rules.Remove(rule);
    }
});

// One dispatcher per process, from the CONFIG app setting (JSON text or its URL), built on first use.
var environment = Environment.GetEnvironmentVariables()
    .Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
builder.Services.AddSingleton(_ => new LazyDispatcherSetup(ct => DispatcherSetup.Create(null, environment, ct)));

builder.Build().Run();
