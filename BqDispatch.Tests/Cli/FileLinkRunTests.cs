using BqDispatch.Cli;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Emulators.BigQuery;
using Xunit;

namespace BqDispatch.Tests.Cli;

/// <summary>
/// A file:// task folder with a linked proj: folder and a linked trace, both pointing outside, whose jobs are DONE:
/// the run hands off the real trace, reports both links, and lists, copies and deletes nothing through them.
/// </summary>
public sealed class FileLinkRunTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-links-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task Linked_folders_and_traces_are_reported_and_never_followed()
    {
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        var created = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
        var outsideTrace = Write(Path.Combine(outside, "ds.a--1_00001_load--dispatch"), created);
        var outsideFile = Write(Path.Combine(outside, "ds.b--2_00001_load--dispatch"), created);
        var real = Write(Path.Combine(root, "tasks", "proj:p1:US", "ds.c--3_00001_load--dispatch"), created);
        Directory.CreateSymbolicLink(Path.Combine(root, "tasks", "proj:p2:US"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "tasks", "proj:p1:US", "ds.b--2_00001_load--dispatch"), outsideFile);
        Done(bigQuery, "p2", "ds_a--1_00001_load--dispatch", created);
        Done(bigQuery, "p1", "ds_b--2_00001_load--dispatch", created);
        Done(bigQuery, "p1", "ds_c--3_00001_load--dispatch", created);
        // A link's own write time is now; no think time, so the linked trace is considered at once.
        var config = $$"""
            {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/","ThinkTimeMs":0}
            """;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CommandLine.Run(
            ["once", "--config", config, "--max-cycles", "1"], stdout, stderr,
            new Dictionary<string, string?> { ["BIGQUERY_EMULATOR_HOST"] = bigQuery.HostAndPort });

        Assert.Equal(1, code);
        var status = StatusJson.Deserialize<StatusDocument>(stdout.ToString());
        Assert.Equal(1, status.Totals.HandedOff);
        Assert.False(File.Exists(real));
        Assert.Contains(status.Errors, e => e.Contains("proj:p2:US is a symbolic link", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.Contains("ds.b--2_00001_load--dispatch is a symbolic link", StringComparison.Ordinal));
        Assert.True(File.Exists(outsideTrace));
        Assert.True(File.Exists(outsideFile));
        var handedOff = Directory.GetFiles(Path.Combine(root, "trigger"), "*", SearchOption.AllDirectories);
        Assert.Equal("ds_c--3_00001_load--dispatch.json", Path.GetFileName(Assert.Single(handedOff)));
    }

    private static string Write(string path, DateTimeOffset created)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{}");
        File.SetLastWriteTimeUtc(path, created.UtcDateTime);
        return path;
    }

    private static void Done(BigQueryEmulator bigQuery, string project, string jobId, DateTimeOffset traceCreated) =>
        bigQuery.AddJob(new EmulatedJob(project, jobId, "US", EmulatedJobType.Load, "bqtail@example.com", traceCreated + TimeSpan.FromSeconds(1))
        {
            RunningAt = traceCreated + TimeSpan.FromSeconds(1),
            DoneAt = traceCreated + TimeSpan.FromSeconds(2),
        });
}
