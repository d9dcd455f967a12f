using BqDispatch.Core.Configuration;
using BqDispatch.Core.Events;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Events;

public class TraceLocatorTests
{
    private const string Tasks = "mem://tasks/";
    private static readonly DispatchConfig Config = new() { ProjectID = "home", AsyncTaskURL = Tasks };

    private static JobCompletion Done(string project, string jobId, string? location = "US") =>
        new(project, jobId, location, null, null, "QUERY");

    private static string Seed(MemoryStore store, string relativeName)
    {
        store.Seed(Tasks + relativeName, "{}"u8);
        Assert.True(TraceName.TryParse(relativeName, out var trace));
        return trace!.JobId;
    }

    [Theory]
    [InlineData("proj:p1:US/ds.t--e1_00001_load--dispatch", "p1", "US")]
    [InlineData("proj:p1:us/ds.t--e1_00001_load--dispatch", "p1", "US")]
    [InlineData("proj:p1:EU/ds.t--e1_00001_load--dispatch.json", "p1", "EU")]
    [InlineData("ds.t--e1_00001_load--dispatch", "home", "US")]
    [InlineData("proj:p1:us-east1/a--b--e1_00001_query--dispatch", "p1", "us-east1")]
    [InlineData("proj:p1:US/e1_00001_copy--dispatch", "p1", "US")]
    public async Task Finds_the_trace_of_a_job_in_its_folder(string relativeName, string project, string location)
    {
        var store = new MemoryStore();
        store.CreateBucket("tasks");
        var jobId = Seed(store, relativeName);

        // A trace of the same step into another table, and one of another event, are not the job's.
        Seed(store, "proj:p1:US/ds.other--e1_00001_load--dispatch");
        Seed(store, "proj:p1:US/ds.t--e2_00001_load--dispatch");

        var found = await new TraceLocator(Config, store).Find(Done(project, jobId, location), CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(Tasks + relativeName, found.Url);
        Assert.Equal(jobId, found.JobId);
        Assert.Equal(project, found.Folder.Project);
        Assert.Equal(relativeName, found.Work().RelativeName);
    }

    [Fact]
    public async Task A_job_whose_trace_is_gone_or_was_never_written_has_none()
    {
        var store = new MemoryStore();
        store.CreateBucket("tasks");
        Seed(store, "proj:p1:US/ds.t--e1_00001_load--dispatch");
        var locator = new TraceLocator(Config, store);

        Assert.Null(await locator.Find(Done("p1", "ds_t--e9_00001_load--dispatch"), CancellationToken.None));
        Assert.Null(await locator.Find(Done("p2", "ds_t--e1_00001_load--dispatch"), CancellationToken.None));

        // The root holds the configured project's traces only.
        Assert.Null(await locator.Find(Done("p1", "ds_t--e1_00001_load--dispatch", location: null), CancellationToken.None));
    }

    [Fact]
    public async Task A_job_id_that_is_no_traces_costs_no_listing()
    {
        var store = new MemoryStore();
        store.CreateBucket("tasks");
        var listings = 0;
        store.BeforeOperation = (operation, _) =>
        {
            listings += operation == StoreOperation.List ? 1 : 0;
            return Task.CompletedTask;
        };
        var locator = new TraceLocator(Config, store);

        Assert.Null(await locator.Find(Done("p1", "bquxjob_1234_abcd"), CancellationToken.None));
        Assert.Null(await locator.Find(Done("p1", "--dispatch"), CancellationToken.None));
        Assert.Equal(0, listings);

        Assert.Null(await locator.Find(Done("p1", "ds_t--e9_00001_load--dispatch"), CancellationToken.None));
        Assert.True(listings > 0);
    }

    [Theory]
    [InlineData("ds_t--e1_00001_load--dispatch", "--e1_00001_load")]
    [InlineData("e1_00001_load--dispatch", "e1_00001_load")]
    [InlineData("--dispatch", null)]
    [InlineData("a--b--e1_00001_query--dispatch", "--e1_00001_query")]
    [InlineData("job_without_suffix", null)]
    public void The_token_is_the_last_path_element_of_the_job_id(string jobId, string? token) =>
        Assert.Equal(token, TraceLocator.Token(jobId));
}
