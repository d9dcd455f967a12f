using System.Security.Cryptography;
using System.Text;
using BqDispatch.Core.Events;

namespace BqDispatch.Core.Hosting;

/// <summary>The Durable instance of one job's completion event: redeliveries of the event collapse into it.</summary>
public static class EventInstance
{
    public const string Prefix = "bqevent-";

    /// <summary>"bqevent-" + 32 hex digits of SHA-256 of project/job: a valid instance id whatever the job id holds.</summary>
    public static string Id(JobCompletion completion)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(CompletionLedger.Key(completion.Project, completion.JobId)));
        return Prefix + Convert.ToHexStringLower(hash, 0, 16);
    }
}
