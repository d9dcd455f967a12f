using BqDispatch.Core.Naming;

namespace BqDispatch.Cli;

/// <summary>Operator helper: what bqtail's naming makes of a job id or a trace file name.</summary>
public static class DecodeCommand
{
    public static int Run(Options options, TextWriter stdout)
    {
        if (options.Arguments.Count != 1)
        {
            throw new UsageException("decode takes one job id or trace name");
        }

        var text = options.Arguments[0];
        if (TraceName.TryParse(text, out var trace))
        {
            stdout.WriteLine($"trace name   {trace!.RelativeName}");
            stdout.WriteLine($"folder       {(trace.FolderProject is null ? "(root: the configured ProjectID, no location)" : $"project {trace.FolderProject}, location {trace.FolderRegion}")}");
            stdout.WriteLine($"job id       {trace.JobId}");
            Describe(trace.Info, stdout);
            return 0;
        }

        stdout.WriteLine($"job id       {text}{(JobIdCodec.IsValidJobId(text) ? "" : "  (not a valid BigQuery job id)")}");
        Describe(JobIdCodec.Parse(text), stdout);
        return 0;
    }

    private static void Describe(JobInfo info, TextWriter stdout)
    {
        stdout.WriteLine($"dest table   {info.DestTable}");
        stdout.WriteLine($"event id     {info.EventId}");
        stdout.WriteLine($"step         {info.Step}");
        stdout.WriteLine($"action       {info.Action} (throttled as {JobKinds.FromAction(info.Action)})");
        stdout.WriteLine($"mode         {info.Mode}");
    }
}
