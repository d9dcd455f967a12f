using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Events;

/// <summary>
/// Finds the trace a completed job's hand-off waits in. The trace name cannot be computed from the job id (the codec
/// loses '/', '.', ':' and '$'), but it ends with the job id's last token, which the codec keeps: so the job's folder
/// (<c>proj:&lt;project&gt;:&lt;location&gt;/</c>, then the root for the configured project) is listed for the names ending
/// with it (Cloud Storage's matchGlob: one list call that returns only those names), and the one whose job id is the
/// job's is taken. A job id that does not end with <c>--dispatch</c> is no trace's: nothing is listed for it.
/// </summary>
public sealed class TraceLocator(DispatchConfig config, IObjectStore store)
{
    private const string TraceSuffix = JobIdCodec.PathElementSeparator + JobIdCodec.DispatchMode;

    /// <summary>The waiting trace of the job, or null when none waits (handed off already, or never a dispatch job's).</summary>
    public async Task<UnresolvedTrace?> Find(JobCompletion completion, CancellationToken cancellation)
    {
        if (Token(completion.JobId) is not { } token)
        {
            return null;
        }

        foreach (var folder in Folders(completion))
        {
            // The legacy ".json" names are rare: looked for only when the plain name is not there.
            foreach (var suffix in (string[])[token + TraceSuffix, token + TraceSuffix + ".json"])
            {
                if (await Find(folder, suffix, completion.JobId, cancellation) is { } trace)
                {
                    return trace;
                }
            }
        }

        return null;
    }

    /// <summary>The job id's last path token with its separator (<c>--&lt;event&gt;_&lt;step&gt;_&lt;action&gt;</c>; no separator
    /// for a trace without a table), or null for a job id that is no trace's.</summary>
    public static string? Token(string jobId)
    {
        if (!jobId.EndsWith(TraceSuffix, StringComparison.Ordinal) || !JobIdCodec.IsValidJobId(jobId))
        {
            return null;
        }

        var rest = jobId[..^TraceSuffix.Length];
        var start = rest.LastIndexOf(JobIdCodec.PathElementSeparator, StringComparison.Ordinal);
        var token = start < 0 ? rest : rest[start..];
        return token.Trim('-').Length == 0 ? null : token;
    }

    /// <summary>The folders a trace of the job may be in, the likeliest first.</summary>
    private IEnumerable<TaskFolder> Folders(JobCompletion completion)
    {
        var root = config.AsyncTaskURL;
        var regions = new List<string>();
        if (!string.IsNullOrEmpty(completion.Location))
        {
            // Audit entries spell multi-regions in capitals (US, EU); a folder may have been named in either case.
            regions.AddRange(new[] { completion.Location, completion.Location.ToUpperInvariant(), completion.Location.ToLowerInvariant() }.Distinct(StringComparer.Ordinal));
        }

        foreach (var region in regions)
        {
            var name = ProjectFolder.Name(completion.Project, region);
            yield return new TaskFolder(root + name + "/", name + "/", completion.Project, region);
        }

        if (string.Equals(completion.Project, config.ProjectID, StringComparison.Ordinal))
        {
            yield return new TaskFolder(root, "", config.ProjectID, "");
        }
    }

    private async Task<UnresolvedTrace?> Find(TaskFolder folder, string suffix, string jobId, CancellationToken cancellation)
    {
        await foreach (var page in store.ListPages(folder.Url, NameRange.Ending(suffix), cancellation))
        {
            foreach (var listed in page.Objects)
            {
                if (TraceName.TryParse(folder.RelativePrefix + listed.Name, out var trace) && trace!.JobId == jobId)
                {
                    return new UnresolvedTrace(folder, listed, jobId);
                }
            }
        }

        return null;
    }
}
