using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace BqDispatch.DurableHost;

/// <summary>
/// Calls one of the app's HTTP functions as the Functions host would for a request to a URL:
/// the function gets an <see cref="HttpRequestData"/>, and its <see cref="HttpResponseData"/> comes back as status,
/// headers and text. Only what the app's functions use is implemented.
/// </summary>
public static class LocalHttp
{
    /// <param name="headers">Request headers (e.g. Authorization).</param>
    /// <param name="body">The request body; empty when null.</param>
    public static async Task<LocalResponse> Call(
        string method,
        Uri url,
        Func<HttpRequestData, Task<HttpResponseData>> function,
        IReadOnlyDictionary<string, string>? headers = null,
        byte[]? body = null)
    {
        var context = new Context();
        var request = new Request(context, method, url, new MemoryStream(body ?? []));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        var response = await function(request);
        response.Body.Position = 0;
        using var reader = new StreamReader(response.Body, Encoding.UTF8);
        return new LocalResponse(
            response.StatusCode,
            response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            await reader.ReadToEndAsync());
    }

    private sealed class Request(FunctionContext context, string method, Uri url, Stream body) : HttpRequestData(context)
    {
        public override Stream Body { get; } = body;

        public override HttpHeadersCollection Headers { get; } = [];

        public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];

        public override Uri Url => url;

        public override IEnumerable<ClaimsIdentity> Identities { get; } = [];

        public override string Method => method;

        public override HttpResponseData CreateResponse() => new Response(FunctionContext);
    }

    private sealed class Response(FunctionContext context) : HttpResponseData(context)
    {
        public override HttpStatusCode StatusCode { get; set; } = HttpStatusCode.OK;

        public override HttpHeadersCollection Headers { get; set; } = [];

        public override Stream Body { get; set; } = new MemoryStream();

        public override HttpCookies Cookies => throw new NotSupportedException("the app sets no cookies");
    }

    private sealed class Context : FunctionContext
    {
        public override string InvocationId { get; } = Guid.NewGuid().ToString("N");

        public override string FunctionId => throw new NotSupportedException();

        public override TraceContext TraceContext => throw new NotSupportedException();

        public override BindingContext BindingContext => throw new NotSupportedException();

        public override RetryContext RetryContext => throw new NotSupportedException();

        public override IServiceProvider InstanceServices { get; set; } = EmptyServices.Instance;

        public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

        public override IInvocationFeatures Features => throw new NotSupportedException();
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>What an HTTP function answered.</summary>
public sealed record LocalResponse(HttpStatusCode StatusCode, IReadOnlyDictionary<string, string> Headers, string Body);
