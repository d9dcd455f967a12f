using System.Text.Json;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Storage;
using BqDispatch.Emulators.Storage;
using BqDispatch.Tests.Support;
using NSubstitute;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>Big folders listed in parallel name ranges, through GcsStore against the Cloud Storage emulator.</summary>
public sealed class RangedScanTests : IAsyncLifetime
{
    private const string Prefix = "BqDispatch/Tasks/";
    private static readonly DateTimeOffset Now = GcsHarness.T0;
    private static readonly string Tasks = GcsHarness.Url(Prefix);

    private readonly IJobsClient jobs = Substitute.For<IJobsClient>();
    private GcsHarness gcs = null!;

    public async Task InitializeAsync()
    {
        // Four entries a page: a few hundred objects make folders of dozens of pages.
        gcs = await GcsHarness.Start(pageSize: 4);
        var running = new List<JobSnapshot>();
        var done = new List<JobSnapshot>();
        for (var i = 0; i < 45; i++)
        {
            // Legacy root traces (project cfgp), then %-encoded and non-ASCII names around them, and windows with markers.
            Seed($"ds.r{i}--{i}_00001_query--dispatch", i % 10 == 0 ? done : running, "cfgp", i);
            Seed($"%2Fodd%20{i:D2}.txt");
            Seed(i % 2 == 0 ? $"é{i:D2}.txt" : $"\U0001F600{i:D2}.txt");
            Seed($"ds.w{i}_{i}_1700000000.win");
        }

        Seed("ds.w1_1_1700000000.wis");
        Seed("ds.bad_window.win");
        Seed("other/x.json");
        Seed("proj::US/orphaned-folder");
        for (var i = 0; i < 100; i++)
        {
            Seed($"proj:p:US/ds.t{i}--{i}_00001_load--dispatch", i % 7 == 0 ? done : running, "p", i);
            Seed($"proj:p:US/%2Fodd%2F{i:D3}--dispatch");
        }

        Seed("proj:p:US/sub/deeper--dispatch");
        Seed("proj:p:EU/ds.gone--1_00001_load--dispatch", created: Now - TimeSpan.FromHours(30));
        jobs.ListPages(Arg.Is<JobListQuery>(q => q.States.Contains(JobState.Running)), Arg.Any<CancellationToken>())
            .Returns(call => Pages(running.Where(j => j.ProjectId == call.Arg<JobListQuery>().ProjectId)));
        jobs.ListPages(Arg.Is<JobListQuery>(q => q.States.Contains(JobState.Done)), Arg.Any<CancellationToken>())
            .Returns(call => Pages(done.Where(j => j.ProjectId == call.Arg<JobListQuery>().ProjectId)));

        void Seed(string name, List<JobSnapshot>? jobList = null, string project = "", int i = 0, DateTimeOffset? created = null)
        {
            gcs.Emulator.Seed(GcsHarness.Bucket, Prefix + name, "{}"u8, created ?? Now - TimeSpan.FromMinutes(10));
            var file = name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..];
            jobList?.Add(new JobSnapshot(project, file.Replace('.', '_'), "US", jobList == done ? JobState.Done : JobState.Running, JobType.Load,
                Now - TimeSpan.FromMinutes(9), Ended: jobList == done ? Now - TimeSpan.FromSeconds(i) : null));
        }
    }

    public async Task DisposeAsync() => await gcs.DisposeAsync();

    [Fact]
    public async Task A_scan_in_parallel_ranges_finds_exactly_what_one_listing_after_another_finds()
    {
        var ranges = new RangedListing(minPagesPerRange: 3, maxRanges: 8);
        var sequential = await Scan(new RangedListing(minPagesPerRange: int.MaxValue));
        var sequentialCalls = gcs.Emulator.Calls(StorageRoutes.List);
        var learning = await Scan(ranges);
        gcs.Emulator.ResetCounters();

        var ranged = await Scan(ranges);

        var rootSplits = ranges.SplitsOf(Tasks);
        var folderSplits = ranges.SplitsOf(Tasks + "proj:p:US/");
        Assert.Equal(7, rootSplits.Count);
        Assert.Equal(7, folderSplits.Count);
        // 186 root entries in 47 pages: ranges start in the %-encoded names, at a folder, and in the non-ASCII names.
        Assert.Contains(rootSplits, s => s.Contains('%', StringComparison.Ordinal));
        Assert.Contains("proj:p:US/", rootSplits);
        Assert.Contains(rootSplits, s => s[0] > 127);
        Assert.Contains(gcs.Emulator.Requests, r => r.QueryString.Contains("startOffset=BqDispatch%2FTasks%2F%252F", StringComparison.Ordinal));

        Assert.Equal(Json(sequential), Json(learning));
        Assert.Equal(Json(sequential), Json(ranged));
        Assert.Equal(5 + 15, ranged.DoneTotal);
        Assert.Single(ranged.Orphans);
        Assert.Equal(2, ranged.Errors.Count);
        Assert.InRange(gcs.Emulator.Calls(StorageRoutes.List), sequentialCalls, sequentialCalls + rootSplits.Count + folderSplits.Count);
    }

    private async Task<TaskFolderScan> Scan(RangedListing ranges)
    {
        var config = DispatchFixture.ConfigWith(new { AsyncTaskURL = Tasks }, StorageUrl.GsScheme);
        var resolver = new JobStateResolver(jobs, DispatchActivities.ResolverSettingsOf(config));
        return await new TaskFolderScanner(config, gcs.Store, resolver, ranges).Scan(new ScanRequest(Now, 1000), CancellationToken.None);
    }

    private static IAsyncEnumerable<JobListPage> Pages(IEnumerable<JobSnapshot> jobs) => new[] { new JobListPage([.. jobs], []) }.ToAsyncEnumerable();

    // Everything the scan says, except how long BigQuery took.
    private static string Json(TaskFolderScan scan) => JsonSerializer.Serialize(scan with { ListTime = TimeSpan.Zero });
}
