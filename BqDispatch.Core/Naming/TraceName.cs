namespace BqDispatch.Core.Naming;

/// <summary>
/// A trace file tail wrote into AsyncTaskURL before submitting an async job: either <c>&lt;file&gt;</c>
/// at the root (legacy) or <c>proj:&lt;p&gt;:&lt;r&gt;/&lt;file&gt;</c>.
/// </summary>
/// <param name="RelativeName">The object name relative to AsyncTaskURL, as given.</param>
/// <param name="FolderProject">Project of the <c>proj:</c> folder; null at the root.</param>
/// <param name="FolderRegion">Region (job location) of the <c>proj:</c> folder; null at the root.</param>
/// <param name="JobId">The BigQuery job id the trace waits for.</param>
/// <param name="Info">The job id read back (lossy: dest table decoded).</param>
public sealed record TraceName(string RelativeName, string? FolderProject, string? FolderRegion, string JobId, JobInfo Info)
{
    private const string TraceSuffix = JobIdCodec.PathElementSeparator + JobIdCodec.DispatchMode;
    private const string JsonExtension = ".json";

    /// <summary>
    /// Recognises a trace file. Only names ending with <c>--dispatch</c> (or legacy <c>--dispatch.json</c>)
    /// are traces: tail also keeps .grp counters, windows and markers here, which bqtail mistook for traces (W13).
    /// Names whose job id BigQuery would reject are refused too (W20). Never throws.
    /// </summary>
    public static bool TryParse(string? relativeName, out TraceName? trace)
    {
        trace = null;
        if (string.IsNullOrEmpty(relativeName))
        {
            return false;
        }

        var parts = relativeName.Split('/');
        string? project = null;
        string? region = null;
        if (parts.Length == 2)
        {
            if (!ProjectFolder.TryParse(parts[0], out var folderProject, out var folderRegion))
            {
                return false;
            }

            (project, region) = (folderProject, folderRegion);
        }
        else if (parts.Length != 1)
        {
            return false;
        }

        var file = parts[^1];
        // Only the .json SUFFIX goes: bqtail removed the first ".json" anywhere, which breaks names that contain it.
        var encoded = file.EndsWith(TraceSuffix + JsonExtension, StringComparison.Ordinal) ? file[..^JsonExtension.Length] : file;
        if (!encoded.EndsWith(TraceSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        var jobId = JobIdCodec.Decode(encoded);
        if (!JobIdCodec.IsValidJobId(jobId))
        {
            return false;
        }

        // bqtail always writes an event id; a name without one (e.g. a bare "--dispatch") is not its trace.
        var info = JobIdCodec.Parse(jobId);
        if (info.EventId.Length == 0)
        {
            return false;
        }

        trace = new TraceName(relativeName, project, region, jobId, info);
        return true;
    }
}
