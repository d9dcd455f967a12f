using BqDispatch.Core.Naming;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BqDispatch.Tests.Naming;

public class NamingProperties
{
    private static readonly string[] Actions = ["load", "reload", "copy", "query", "export"];

    private const string NameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    private const string ProjectCharacters = "abcdefghijklmnopqrstuvwxyz0123456789-";

    /// <summary>Dest tables as tail writes them: [project:]dataset.table[$partition], with BigQuery's name characters.</summary>
    private static readonly Gen<string> DestTables =
        Gen.OneOf(
            Gen.Constant(""),
            from project in Gen.OneOf(Gen.Constant(""), Word(ProjectCharacters, 1, 12).Select(p => p + ":"))
            from dataset in Word(NameCharacters, 1, 10)
            from table in Word(NameCharacters, 1, 10)
            from partition in Gen.Elements("", "$20200101")
            select project + dataset + "." + table + partition);

    private static readonly Gen<JobInfo> Infos =
        from dest in DestTables
        from eventId in Word("0123456789", 1, 19)
        from step in Gen.Choose(0, 99998)
        from action in Gen.Elements(Actions)
        select new JobInfo(dest, eventId, step, action, "dispatch");

    private static readonly Gen<(string Project, string Region)> Folders =
        Gen.Zip(
            Gen.OneOf(Word(ProjectCharacters, 1, 12), Word(ProjectCharacters, 1, 8).Select(w => "example.com:" + w)),
            Gen.Elements("", "US", "EU", "us-central1"));

    /// <summary>Arbitrary text, rich in the characters names are built from.</summary>
    private static readonly Gen<string> Junk =
        Gen.Elements("proj:", ":", "/", "--", "dispatch", ".json", "_", ".win", ".wis", "1700000000", "a", "é", " ", "$", ".", "-", "0", "\n")
            .ArrayOf()
            .Select(parts => string.Concat(parts));

    [Property]
    public Property A_trace_file_name_reads_back_to_the_job_id_tail_submitted() =>
        Prop.ForAll(Infos.ToArbitrary(), Folders.ToArbitrary(), (info, folder) =>
        {
            var name = JobIdCodec.JobFilename(info, folder.Project, folder.Region);

            return TraceName.TryParse(name, out var trace)
                && trace!.JobId == JobIdCodec.JobId(info)
                && trace.FolderProject == folder.Project
                && trace.FolderRegion == folder.Region
                && trace.Info == JobIdCodec.Parse(JobIdCodec.JobId(info))
                && trace.Info.EventId == info.EventId
                && trace.Info.Step == info.Step
                && trace.Info.Action == info.Action;
        });

    [Property]
    public Property A_root_trace_file_name_reads_back_to_the_job_id() =>
        Prop.ForAll(Infos.ToArbitrary(), info =>
            TraceName.TryParse(JobIdCodec.JobFilename(info, "", ""), out var trace)
            && trace!.FolderProject is null
            && trace.JobId == JobIdCodec.JobId(info));

    [Property]
    public Property Decoded_file_names_are_valid_job_ids() =>
        Prop.ForAll(Infos.ToArbitrary(), info => JobIdCodec.IsValidJobId(JobIdCodec.Decode(JobIdCodec.JobFilename(info, "", ""))));

    [Property]
    public Property Parsing_names_never_throws() =>
        Prop.ForAll(Junk.ToArbitrary(), text =>
        {
            TraceName.TryParse(text, out _);
            WindowName.TryParse(text, out _);
            ProjectFolder.TryParse(text, out _, out _);
            JobIdCodec.Parse(text);
            return true;
        });

    [Property]
    public bool Parsing_arbitrary_strings_never_throws(string? text)
    {
        TraceName.TryParse(text, out _);
        WindowName.TryParse(text, out _);
        ProjectFolder.TryParse(text, out _, out _);
        return true;
    }

    [Property]
    public Property A_traces_job_id_is_always_valid() =>
        Prop.ForAll(Junk.ToArbitrary(), text =>
            !TraceName.TryParse(text, out var trace) || JobIdCodec.IsValidJobId(trace!.JobId));

    [Property]
    public Property Marker_and_window_names_round_trip() =>
        Prop.ForAll(Junk.ToArbitrary(), stem =>
        {
            var window = stem + ".win";
            var marker = WindowName.MarkerName(window);

            return marker == stem + ".wis" && WindowName.WindowOfMarker(marker) == window;
        });

    [Property]
    public Property Window_names_read_back_their_end() =>
        Prop.ForAll(Word(NameCharacters + ".:-", 1, 20).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (stem, seconds) =>
            WindowName.TryParse($"{stem}_{seconds}.win", out var window)
            && window!.End == DateTimeOffset.FromUnixTimeSeconds(seconds));

    [Property]
    public Property Project_folder_names_round_trip() =>
        Prop.ForAll(Folders.ToArbitrary(), folder =>
            ProjectFolder.TryParse(ProjectFolder.Name(folder.Project, folder.Region), out var project, out var region)
            && project == folder.Project
            && region == folder.Region);

    private static Gen<string> Word(string alphabet, int minLength, int maxLength) =>
        from length in Gen.Choose(minLength, maxLength)
        from chars in Gen.Elements(alphabet.ToCharArray()).ArrayOf(length)
        select new string(chars);
}
