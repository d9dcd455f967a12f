using System.Text;
using BqDispatch.Cli;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Google;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;
using Xunit;

namespace BqDispatch.Tests.Cli;

/// <summary>
/// A DONE trace whose hand-off name a file:// trigger folder cannot hold (255 bytes a name): one clear error, and the
/// trace is moved to ErrorURL like an orphan, with a note; the next run has nothing to report.
/// </summary>
public sealed class LongTraceNameTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-long-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task A_300_character_trace_from_cloud_storage_is_evicted_once_when_the_trigger_folder_is_local()
    {
        var name = TraceNameOf(300);
        var created = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        await using var storage = await CloudStorageEmulator.StartAsync();
        storage.CreateBucket("disp");
        storage.CreateBucket("ops");
        storage.Seed("disp", "Tasks/proj:p1:US/" + name, "{\"trace\":1}"u8, created);
        Done(bigQuery, name, created);
        var config = $$"""
            {"ProjectID":"p1","AsyncTaskURL":"gs://disp/Tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"gs://ops/Journal/","ErrorURL":"gs://ops/errors/"}
            """;
        var environment = new Dictionary<string, string?>
        {
            [GoogleAccess.StorageEmulatorHostVariable] = storage.HostAndPort,
            [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort,
        };

        var first = await Once(config, environment);
        var second = await Once(config, environment);

        var error = Assert.Single(first.Errors);
        Assert.Contains($"trace gs://disp/Tasks/proj:p1:US/{name} cannot be handed off", error, StringComparison.Ordinal);
        Assert.Contains("a file:// store holds names of at most 255 bytes", error, StringComparison.Ordinal);
        Assert.Contains("has 305", error, StringComparison.Ordinal);
        Assert.Equal(1, first.Totals.Evicted);
        Assert.False(storage.Exists("disp", "Tasks/proj:p1:US/" + name));
        Assert.Equal("{\"trace\":1}", Encoding.UTF8.GetString(storage.Read("ops", "errors/orphans/proj:p1:US/" + name)!));
        Assert.Contains("cannot be handed to BqTail", Encoding.UTF8.GetString(storage.Read("ops", "errors/orphans/proj:p1:US/" + name + ".err")!), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "trigger")));
        Assert.Equal((StatusDocument.Ok, 0), (second.Status, second.Errors.Count));
    }

    [Fact]
    public async Task A_252_character_trace_on_local_folders_is_evicted_under_a_digest_name_its_note_can_follow()
    {
        var name = TraceNameOf(252);
        var created = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        await using var bigQuery = await BigQueryEmulator.StartAsync();
        var trace = Path.Combine(root, "tasks", "proj:p1:US", name);
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        await File.WriteAllTextAsync(trace, "{\"trace\":2}");
        File.SetLastWriteTimeUtc(trace, created.UtcDateTime);
        Done(bigQuery, name, created);
        var config = $$"""
            {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/"}
            """;
        var environment = new Dictionary<string, string?> { [GoogleAccess.BigQueryEmulatorHostVariable] = bigQuery.HostAndPort };

        var first = await Once(config, environment);
        var second = await Once(config, environment);

        Assert.Contains("has 257", Assert.Single(first.Errors), StringComparison.Ordinal);
        Assert.False(File.Exists(trace));
        var evicted = Directory.GetFiles(Path.Combine(root, "errors", "orphans", "proj:p1:US")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, evicted.Count);
        Assert.Matches("^sha256-[0-9a-f]{64}$", Path.GetFileName(evicted[0]));
        Assert.Equal("{\"trace\":2}", await File.ReadAllTextAsync(evicted[0]));
        Assert.Contains("Original location: file://" + trace, await File.ReadAllTextAsync(evicted[1]), StringComparison.Ordinal);
        Assert.Equal((StatusDocument.Ok, 0), (second.Status, second.Errors.Count));
    }

    /// <summary>A load trace name of exactly <paramref name="length"/> characters.</summary>
    private static string TraceNameOf(int length)
    {
        const string tail = "--1_00001_load--dispatch";
        return "ds." + new string('t', length - 3 - tail.Length) + tail;
    }

    private static void Done(BigQueryEmulator bigQuery, string traceName, DateTimeOffset created) =>
        bigQuery.AddJob(new EmulatedJob("p1", "ds_" + traceName[3..], "US", EmulatedJobType.Load, "bqtail@example.com", created + TimeSpan.FromSeconds(1))
        {
            RunningAt = created + TimeSpan.FromSeconds(1),
            DoneAt = created + TimeSpan.FromSeconds(2),
        });

    private static async Task<StatusDocument> Once(string config, Dictionary<string, string?> environment)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        await CommandLine.Run(["once", "--config", config, "--max-cycles", "1"], stdout, stderr, environment);
        return StatusJson.Deserialize<StatusDocument>(stdout.ToString());
    }
}
