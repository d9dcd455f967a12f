using BqDispatch.Emulators.BigQuery;
using BqDispatch.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace BqDispatch.Tests.Groups;

/// <summary>
/// 1,000 open groups of 10 members each (in two projects): the BigQuery calls a cycle makes stay those of the projects'
/// listings (no call per member or per group), and what a cycle hands on (scan output, status, queue) stays bounded.
/// </summary>
public sealed class GroupScaleTests(ITestOutputHelper output)
{
    private const int Groups = 1_000;
    private const int Members = 10;

    [Fact]
    public async Task A_thousand_open_groups_of_ten_cost_the_listings_of_their_projects_and_bounded_memory()
    {
        await using var f = await DispatchFixture.Create(StorageKind.Memory);
        var created = f.Clock.UtcNow - TimeSpan.FromSeconds(20);
        for (var g = 0; g < Groups; g++)
        {
            var members = new List<string>();
            for (var m = 0; m < Members; m++)
            {
                var project = m % 2 == 0 ? "cfgp" : "p1";
                var jobId = $"g{g}_m{m}";
                f.BigQuery.AddJob(new EmulatedJob(project, jobId, "US", EmulatedJobType.Load, "tail@p", created) { RunningAt = created });
                members.Add($"{project}:US.{jobId}");
            }

            f.Object(f.Tasks + $"_groups/g{g}.json", GroupAcceptanceTests.GroupJson(members), TimeSpan.FromSeconds(10));
        }

        var activities = f.Activities();
        f.BigQuery.ResetCounters();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var waiting = await f.Run(activities);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var (waitingLists, waitingGets) = (f.BigQuery.ListCalls, f.BigQuery.GetCalls);

        foreach (var job in f.BigQuery.Jobs())
        {
            f.BigQuery.SetJobState(job.ProjectId, job.JobId, EmulatedJobState.Done);
        }

        f.Clock.Advance(TimeSpan.FromSeconds(10));
        f.BigQuery.ResetCounters();
        var done = await f.Run(activities);
        var (doneLists, doneGets) = (f.BigQuery.ListCalls, f.BigQuery.GetCalls);

        f.BigQuery.ResetCounters();
        var after = await f.Run(activities);

        output.WriteLine($"waiting cycle: {waitingLists} jobs.list requests, {waitingGets} jobs.get, {allocated / 1_048_576.0:F1} MiB allocated (the whole process), " +
            $"{waiting.Groups.Count} groups in the status");
        output.WriteLine($"completing cycle: {doneLists} jobs.list requests, {doneGets} jobs.get, {done.Totals.GroupsCompleted} groups completed");

        // Two projects of 5,000 running jobs: their active listings, 5 pages each; nothing per member.
        Assert.Equal(10, waitingLists);
        Assert.Equal(0, waitingGets);
        Assert.Equal(Groups, waiting.Totals.GroupsWaiting);
        Assert.Equal(100, waiting.Groups.Count);

        // Then: an empty active listing and one DONE listing (5 pages) per project.
        Assert.Equal(12, doneLists);
        Assert.Equal(0, doneGets);
        Assert.Equal(Groups, done.Totals.GroupsCompleted);
        Assert.Equal(100, done.Groups.Count);
        Assert.Equal(Groups, f.ObjectsUnder(f.Url("trig/_bqjob_/")).Count);

        // Once completed, the groups cost nothing more.
        Assert.Equal(0, f.BigQuery.ListCalls);
        Assert.Equal(0, after.Totals.GroupsWaiting);
    }
}
