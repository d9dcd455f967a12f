using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BqDispatch.Emulators.BigQuery;

/// <summary>Routes requests under /bigquery/v2/ and answers jobs.list and jobs.get.</summary>
internal sealed class JobsHandlers(
    JobStore store,
    FaultPlan faults,
    RequestLog log,
    BigQueryEmulatorOptions options,
    Func<TimeSpan> latency)
{
    private const string JsonContentType = "application/json; charset=UTF-8";

    public async Task Handle(HttpContext context)
    {
        var (route, project, jobId) = Route(context);
        log.Count(route);
        var status = 0;

        // Answers are logged before their body is written (Send), so a client that has read one finds it in the log.
        context.Features.Set<Action<int>>(answered =>
        {
            context.Features.Set<Action<int>?>(null);
            log.Add(new EmulatorRequest(route, project, jobId, context.Request.QueryString.Value ?? "", answered));
        });
        try
        {
            var delay = latency();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            if (route != EmulatorRoutes.Other && faults.Take(route) is { } fault)
            {
                if (fault.Drop)
                {
                    // Logged first: the client may send its next request as soon as it sees the drop.
                    context.Features.Get<Action<int>>()?.Invoke(0);
                    context.Abort();
                    return;
                }

                status = await Send(context, fault.Status, fault.ContentType, fault.Body);
                return;
            }

            status = route switch
            {
                EmulatorRoutes.List => await List(context, project!),
                EmulatorRoutes.Get => await Get(context, project!, jobId!),
                _ when !HttpMethods.IsGet(context.Request.Method) && project is not null =>
                    await Error(context, 405, "methodNotAllowed", $"Method {context.Request.Method} is not supported here."),
                _ => await Error(context, 404, "notFound", $"Not found: URL {context.Request.Path}"),
            };
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = 0;
        }
        finally
        {
            context.Features.Get<Action<int>>()?.Invoke(status);
        }
    }

    private async Task<int> List(HttpContext context, string projectId)
    {
        var query = context.Request.Query;
        var now = options.Clock();

        HashSet<EmulatedJobState>? states = null;
        foreach (var value in query["stateFilter"])
        {
            EmulatedJobState state;
            switch (value)
            {
                case "pending": state = EmulatedJobState.Pending; break;
                case "running": state = EmulatedJobState.Running; break;
                case "done": state = EmulatedJobState.Done; break;
                default:
                    return await Error(context, 400, "invalid", $"Invalid value for stateFilter: \"{value}\"");
            }

            (states ??= []).Add(state);
        }

        if (!TryBool(query["allUsers"], out var allUsers))
        {
            return await Error(context, 400, "invalid", $"Invalid value for allUsers: \"{query["allUsers"]}\"");
        }

        if (!TryMs(query["minCreationTime"], out var min) || !TryMs(query["maxCreationTime"], out var max))
        {
            return await Error(context, 400, "invalid", "Invalid value for minCreationTime or maxCreationTime: expected milliseconds since the epoch.");
        }

        var projection = query["projection"].ToString();
        if (projection.Length > 0 && !projection.Equals("full", StringComparison.OrdinalIgnoreCase)
            && !projection.Equals("minimal", StringComparison.OrdinalIgnoreCase))
        {
            return await Error(context, 400, "invalid", $"Invalid value for projection: \"{projection}\"");
        }

        // No projection means minimal, so a client that forgets projection=full sees no jobType.
        var minimal = !projection.Equals("full", StringComparison.OrdinalIgnoreCase);

        var pageSize = options.MaxPageSize;
        var maxResults = query["maxResults"].ToString();
        if (maxResults.Length > 0)
        {
            if (!int.TryParse(maxResults, NumberStyles.None, CultureInfo.InvariantCulture, out var requested))
            {
                return await Error(context, 400, "invalid", $"Invalid value for maxResults: \"{maxResults}\"");
            }

            pageSize = requested == 0 ? pageSize : Math.Min(requested, pageSize);
        }

        PageCursor? after = null;
        var pageToken = query["pageToken"].ToString();
        if (pageToken.Length > 0 && (after = PageCursor.FromToken(pageToken)) is null)
        {
            return await Error(context, 400, "invalid", "Invalid page token.");
        }

        FieldMask fields;
        try
        {
            fields = FieldMask.Parse(query["fields"].ToString());
        }
        catch (FormatException e)
        {
            return await Error(context, 400, "invalid", $"Invalid field selection {query["fields"]}: {e.Message}");
        }

        if (!store.HasProject(projectId))
        {
            return await Error(context, 404, "notFound", $"Not found: Project {projectId}");
        }

        if (allUsers && !options.CallerMayListAllUsers)
        {
            return await Error(context, 403, "accessDenied",
                $"Access Denied: Project {projectId}: User does not have bigquery.jobs.listAll permission in project {projectId}.");
        }

        var parent = query["parentJobId"].ToString();
        var filter = new ListFilter(
            states,
            min,
            max,
            allUsers ? null : options.CallerEmail,
            parent.Length == 0 ? null : parent,
            pageSize,
            after);
        var page = store.List(projectId, filter, now);
        if (page is null)
        {
            return await Error(context, 404, "notFound", $"Not found: Project {projectId}");
        }

        return await Send(context, 200, JsonContentType, JobsJsonWriter.JobList(page, minimal, now, fields));
    }

    private async Task<int> Get(HttpContext context, string projectId, string jobId)
    {
        var now = options.Clock();
        var job = store.Find(projectId, jobId, out var projectFound);
        if (!projectFound)
        {
            return await Error(context, 404, "notFound", $"Not found: Project {projectId}");
        }

        var location = context.Request.Query["location"].ToString();
        var located = job is not null && (location.Length == 0
            ? job.InMultiRegion
            : string.Equals(location, job.Location, StringComparison.OrdinalIgnoreCase));
        if (!located)
        {
            var where = location.Length == 0 ? "" : location + ".";
            return await Error(context, 404, "notFound", $"Not found: Job {projectId}:{where}{jobId}");
        }

        var selfLink = $"{context.Request.Scheme}://{context.Request.Host}/bigquery/v2/projects/"
                       + $"{Uri.EscapeDataString(projectId)}/jobs/{Uri.EscapeDataString(jobId)}?location={Uri.EscapeDataString(job!.Location)}";
        return await Send(context, 200, JsonContentType, JobsJsonWriter.Job(new JobView(job, job.StateAt(now)), now, selfLink));
    }

    /// <summary>Splits the raw (still percent-encoded) path, so an encoded '/' stays inside its segment.</summary>
    private static (string Route, string? Project, string? JobId) Route(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var queryStart = raw.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart >= 0 ? raw[..queryStart] : raw;
        var segments = path.Split('/', StringSplitOptions.None);

        // "", "bigquery", "v2", "projects", {p}, "jobs"[, {j}]
        if (segments.Length is < 6 or > 7 || segments[0].Length != 0 || segments[1] != "bigquery" || segments[2] != "v2"
            || segments[3] != "projects" || segments[4].Length == 0 || segments[5] != "jobs")
        {
            return (EmulatorRoutes.Other, null, null);
        }

        var project = Uri.UnescapeDataString(segments[4]);
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return (EmulatorRoutes.Other, project, null);
        }

        if (segments.Length == 6)
        {
            return (EmulatorRoutes.List, project, null);
        }

        return segments[6].Length == 0
            ? (EmulatorRoutes.Other, project, null)
            : (EmulatorRoutes.Get, project, Uri.UnescapeDataString(segments[6]));
    }

    private static bool TryBool(Microsoft.Extensions.Primitives.StringValues values, out bool value)
    {
        value = false;
        var text = values.ToString();
        return text.Length == 0 || bool.TryParse(text, out value);
    }

    private static bool TryMs(Microsoft.Extensions.Primitives.StringValues values, out long? value)
    {
        value = null;
        var text = values.ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return false;
        }

        value = ms;
        return true;
    }

    private static Task<int> Error(HttpContext context, int status, string reason, string message) =>
        Send(context, status, JsonContentType, JobsJsonWriter.Error(status, reason, message));

    private static async Task<int> Send(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        context.Features.Get<Action<int>>()?.Invoke(status);
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
        return status;
    }
}
