using System.Collections;
using BqDispatch.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Built-in HTTP model (HttpRequestData), no ASP.NET Core integration. Durable registers itself (no AddDurableTask*
// here); its payloads use the worker's serializer, which is ours, so the orchestration output is the CLI's document.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.Configure<WorkerOptions>(worker => worker.Serializer = AppServices.Serializer);

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

var environment = Environment.GetEnvironmentVariables()
    .Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
builder.Services.AddDispatcher(environment);

builder.Build().Run();
