using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BqDispatch.Core.Routes;

/// <summary>
/// The post-action file of a routed job, which BqTail's <c>_bqjob_</c> handler runs exactly as it runs a trace:
/// <c>&lt;TriggerBucket&gt;/_bqjob_/&lt;yyyy-MM-dd_HH of the job's end&gt;/proj:&lt;project&gt;:&lt;location&gt;/&lt;job id&gt;.json</c>
/// holding <c>Action</c>, <c>Meta</c>, <c>Job</c> (the resource as BigQuery returned it) and the rule's actions.
/// </summary>
public static class PostActionFile
{
    private const string HourLayout = "yyyy-MM-dd_HH";

    /// <summary>Where the file goes; the hour is the job's end, so every attempt targets the same object.</summary>
    public static string Url(string triggerBaseUrl, string postJobPrefix, FinishedJob job)
    {
        var folder = postJobPrefix.Trim('/');
        return $"{triggerBaseUrl.TrimEnd('/')}/{(folder.Length > 0 ? folder + "/" : "")}"
            + $"{job.Ended.UtcDateTime.ToString(HourLayout, CultureInfo.InvariantCulture)}/proj:{job.ProjectId}:{job.Location}/{job.JobId}.json";
    }

    /// <summary>bqtail's word for the job's type.</summary>
    public static string ActionOf(FinishedJob job) => job.Type switch
    {
        "EXTRACT" => "export",
        "" => "unknown",
        var type => type.ToLowerInvariant(),
    };

    /// <summary>The file's content for <paramref name="job"/> routed by <paramref name="rule"/>.</summary>
    public static byte[] Content(FinishedJob job, RouteRule rule)
    {
        var source = rule.SourceFor(job);
        var file = new JsonObject
        {
            ["Action"] = ActionOf(job),
            ["Meta"] = new JsonObject
            {
                ["ProjectID"] = job.ProjectId,
                ["Region"] = job.Location,
                ["DestTable"] = job.DestTable,
                ["EventID"] = job.JobId,
                ["Mode"] = "dispatch",
                ["Async"] = true,
                ["Step"] = 1,
                ["RuleURL"] = rule.RuleUrl,
            },
            ["Job"] = JsonNode.Parse(job.Resource.GetRawText()),
        };
        if (rule.OnSuccess is { } onSuccess)
        {
            file["OnSuccess"] = WithSource(onSuccess, source);
        }

        if (rule.OnFailure is { } onFailure)
        {
            file["OnFailure"] = WithSource(onFailure, source);
        }

        return JsonSerializer.SerializeToUtf8Bytes(file);
    }

    // §7.1: each action's Request.Source is filled where absent, so an export or copy acts on what the job wrote.
    private static JsonArray WithSource(JsonArray actions, string source)
    {
        var filled = (JsonArray)actions.DeepClone();
        foreach (var action in filled.OfType<JsonObject>())
        {
            var requestKey = action.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, "Request", StringComparison.OrdinalIgnoreCase)) ?? "Request";
            if (action[requestKey] is not JsonObject request)
            {
                request = [];
                action[requestKey] = request;
            }

            if (!request.Any(p => string.Equals(p.Key, "Source", StringComparison.OrdinalIgnoreCase)))
            {
                request["Source"] = source;
            }
        }

        return filled;
    }
}
