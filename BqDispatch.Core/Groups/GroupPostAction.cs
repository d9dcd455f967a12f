using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BqDispatch.Core.Routes;

namespace BqDispatch.Core.Groups;

/// <summary>
/// The post-action file of a completed group, for BqTail's <c>_bqjob_</c> handler:
/// <c>&lt;TriggerBucket&gt;/_bqjob_/&lt;yyyy-MM-dd_HH of the named member's end&gt;/proj:&lt;project&gt;:&lt;location&gt;/&lt;name&gt;--group.json</c>.
/// BqTail picks OnSuccess or OnFailure by the error of the <c>Job</c> it finds, so both carry the branch the dispatcher
/// chose; a failure's actions carry <c>Request.Error</c>.
/// </summary>
public static class GroupPostAction
{
    public const string Suffix = "--group.json";

    public static string Url(string triggerBaseUrl, string postJobPrefix, GroupCompletion group) =>
        PostActionFile.Url(triggerBaseUrl, postJobPrefix, group.Ended, group.Project, group.Location, group.Name + Suffix);

    public static byte[] Content(GroupCompletion group)
    {
        var status = new JsonObject { ["state"] = "DONE" };
        if (group.JobError is { } reason)
        {
            status["errorResult"] = new JsonObject { ["reason"] = reason };
        }

        var file = new JsonObject
        {
            ["Action"] = PostActionFile.ActionOf(group.JobType ?? ""),
            ["Meta"] = new JsonObject
            {
                ["ProjectID"] = group.Project,
                ["Region"] = group.Location,
                ["EventID"] = group.JobId,
                ["Mode"] = "dispatch",
                ["Async"] = true,
                ["Step"] = 1,
                ["GroupURL"] = group.Url,
            },
            ["Job"] = new JsonObject
            {
                ["jobReference"] = new JsonObject { ["projectId"] = group.Project, ["jobId"] = group.JobId, ["location"] = group.Location },
                ["configuration"] = new JsonObject { ["jobType"] = group.JobType },
                ["status"] = status,
                ["statistics"] = new JsonObject { ["endTime"] = group.Ended.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
            },
        };
        if (group.Actions is not null && JsonNode.Parse(group.Actions) is JsonArray actions)
        {
            var chosen = group.Error is { } error ? PostActionFile.WithRequest(actions, "Error", error) : actions;
            file["OnSuccess"] = chosen;
            file["OnFailure"] = chosen.DeepClone();
        }

        return JsonSerializer.SerializeToUtf8Bytes(file);
    }
}
