using Xunit;
using System.Text;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;

namespace BqDispatch.Tests.Acceptance;

/// <summary>Malformed names, junk, unknown projects, huge files and big folders: a clear status, never a crash.</summary>
public abstract class BadInputTests(StorageKind kind) : AcceptanceTests(kind)
{
    [Fact]
    public async Task Junk_in_the_task_folder_is_ignored_and_named()
    {
        await using var f = await Fixture();
        f.Object(f.Tasks + "ds.t_123.grp", "3", TimeSpan.FromMinutes(1));
        f.Object(f.Tasks + "notes.txt", "hello", TimeSpan.FromMinutes(1));
        f.Object(f.Tasks + "proj:p1:US/--dispatch", "{}", TimeSpan.FromMinutes(1));
        f.Object(f.Tasks + "proj:p1:US/ds.t--1_00001_load--tail", "{}", TimeSpan.FromMinutes(1));
        f.Object(f.Tasks + "proj:p1:US/bad name with spaces--dispatch", "{}", TimeSpan.FromMinutes(1));
        f.Object(f.Tasks + "other/ds.t--1_00001_load--dispatch", "{}", TimeSpan.FromMinutes(1));

        var status = await f.Run();

        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(5, status.Totals.Ignored);
        Assert.DoesNotContain(status.Totals.IgnoredSamples, s => s.EndsWith(".grp", StringComparison.Ordinal));
        Assert.Contains(f.Tasks + "notes.txt", status.Totals.IgnoredSamples);
        Assert.Equal(0, f.BigQuery.GetCalls);
        Assert.Empty(f.ObjectsUnder(f.Url("trig/")));
    }

    [Fact]
    public async Task A_folder_that_is_not_a_project_folder_is_reported()
    {
        await using var f = await Fixture();
        f.Object(f.Tasks + "proj::US/ds.t--1_00001_load--dispatch", "{}", TimeSpan.FromMinutes(1));

        var status = await f.Run();

        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Contains("proj::US", Assert.Single(status.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("my_project")]
    public async Task A_folder_whose_project_cannot_be_a_project_id_is_reported_skipped_and_never_sent_to_bigquery(string project)
    {
        await using var f = await Fixture();
        var trace = f.Trace($"proj:{project}:US/ds.t--1_00001_load--dispatch", TimeSpan.FromMinutes(1));

        var status = await f.Run();

        Assert.Equal(StatusDocument.Failed, status.Status);
        Assert.Contains($"folder {f.Tasks}proj:{project}:US/ is not proj:<project>:<region> with a BigQuery project id", Assert.Single(status.Errors), StringComparison.Ordinal);
        Assert.True(f.Store.Exists(trace.Url));
        Assert.Equal((0, 0), (f.BigQuery.ListCalls, f.BigQuery.GetCalls));
        Assert.DoesNotContain(project, status.Performance.Keys);
    }

    [Fact]
    public async Task A_trace_for_a_project_bigquery_does_not_know_is_reported_not_fatal()
    {
        await using var f = await Fixture();
        var ghost = f.Trace("proj:ghost:US/ds.t--1_00001_load--dispatch", TimeSpan.FromSeconds(10));
        var real = f.Trace("proj:p1:US/ds.t--2_00001_load--dispatch", TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--2_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: real.Created);

        var status = await f.Run();

        Assert.True(f.Store.Exists(ghost.Url));
        Assert.False(f.Store.Exists(real.Url));
        Assert.Equal(1, status.Performance["ghost"].NoFound);
        Assert.Contains("project ghost", Assert.Single(status.Errors), StringComparison.Ordinal);
        Assert.Equal(StatusDocument.Failed, status.Status);
    }

    [Fact]
    public async Task A_ten_megabyte_trace_is_handed_off_intact()
    {
        await using var f = await Fixture();
        var big = new byte[10 * 1024 * 1024];
        new Random(7).NextBytes(big);
        var trace = f.Store.Seed(f.Tasks + "proj:p1:US/ds.t--1_00001_load--dispatch", big, f.Clock.UtcNow - TimeSpan.FromSeconds(10));
        f.Store.Seed(f.Tasks + "huge.bin", big, f.Clock.UtcNow - TimeSpan.FromSeconds(10));
        f.Job("p1", "ds_t--1_00001_load--dispatch", EmulatedJobType.Load, EmulatedJobState.Done, created: trace.Created);

        var status = await f.Run();

        var copied = await f.Store.Read(f.Url("trig/_bqjob_/2023-11-14_22/proj:p1:US/ds_t--1_00001_load--dispatch.json"), CancellationToken.None);
        Assert.Equal(big, copied);
        Assert.Equal(StatusDocument.Ok, status.Status);
        Assert.Equal(1, status.Totals.Ignored);
    }

    [Fact]
    public async Task Ten_thousand_traces_in_one_folder_drain_in_chunks_with_the_backlog_reported()
    {
        await using var f = await Fixture(new { MaxHandOffsPerCycle = 1000 });
        var content = Encoding.UTF8.GetBytes("{}");
        for (var i = 0; i < 10_000; i++)
        {
            var trace = f.Store.Seed($"{f.Tasks}proj:p1:US/ds.t--{i}_00001_load--dispatch", content, f.Clock.UtcNow - TimeSpan.FromSeconds(10_010 - i));
            f.Job("p1", $"ds_t--{i}_00001_load--dispatch", EmulatedJobType.Load,
                i % 2 == 0 ? EmulatedJobState.Done : EmulatedJobState.Running, created: trace.Created);
        }

        var first = await f.Run();
        Assert.Equal(1000, first.Totals.HandedOff);
        Assert.Equal(4000, first.Totals.Backlog);
        Assert.Equal(5000, first.Performance["p1"].Count);
        Assert.Equal(0, first.GetCount);
        Assert.False(f.Store.Exists($"{f.Tasks}proj:p1:US/ds.t--0_00001_load--dispatch"), "oldest first");

        var rest = await f.Run(maxCycles: 4);
        Assert.Equal(4000, rest.Totals.HandedOff);
        Assert.Equal(0, rest.Totals.Backlog);
        Assert.Equal(StatusDocument.Ok, rest.Status);
    }
}

public sealed class BadInputOnMemory() : BadInputTests(StorageKind.Memory);

public sealed class BadInputOnCloudStorage() : BadInputTests(StorageKind.CloudStorage);
