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
    public static string Url(string triggerBaseUrl, string postJobPrefix, FinishedJob job) =>
        Url(triggerBaseUrl, postJobPrefix, job.Ended, job.ProjectId, job.Location, job.JobId + ".json");

    /// <summary>A post-action file <paramref name="fileName"/> of the hour of <paramref name="ended"/> and the project's folder.</summary>
    public static string Url(string triggerBaseUrl, string postJobPrefix, DateTimeOffset ended, string project, string location, string fileName)
    {
        var folder = postJobPrefix.Trim('/');
        return $"{triggerBaseUrl.TrimEnd('/')}/{(folder.Length > 0 ? folder + "/" : "")}"
            + $"{Hour(ended)}/proj:{project}:{location}/{fileName}";
    }

    /// <summary>The hour folder's name: <c>yyyy-MM-dd_HH</c>, UTC.</summary>
    public static string Hour(DateTimeOffset time) => time.UtcDateTime.ToString(HourLayout, CultureInfo.InvariantCulture);

    /// <summary>bqtail's word for the job's type.</summary>
    public static string ActionOf(FinishedJob job) => ActionOf(job.Type);

    /// <summary>bqtail's word for a job type as configuration.jobType spells it.</summary>
    public static string ActionOf(string jobType) => jobType switch
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
            file["OnSuccess"] = WithRequest(onSuccess, "Source", source);
        }

        if (rule.OnFailure is { } onFailure)
        {
            file["OnFailure"] = WithRequest(onFailure, "Source", source);
        }

        return JsonSerializer.SerializeToUtf8Bytes(file);
    }

    // §7.1: each action's Request.Source is filled where absent, so an export or copy acts on what the job wrote.
    // A group's failure actions get Request.Error the same way.

    /// <summary>A copy of <paramref name="actions"/> with <c>Request.&lt;key&gt;</c> set to <paramref name="value"/> where the request has none.</summary>
    public static JsonArray WithRequest(JsonArray actions, string key, string value)
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

            if (!request.Any(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)))
            {
                request[key] = value;
            }
        }

        return filled;
    }
}
