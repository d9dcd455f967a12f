using System.Runtime.CompilerServices;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Throttling;
using BqDispatch.Tests.Support;
using NSubstitute;
using Xunit;

namespace BqDispatch.Tests.Dispatch;

/// <summary>What a scan keeps: the work it found, not the traces that wait.</summary>
public class ScanMemoryTests
{
    private const string Tasks = "mem://" + DispatchFixture.TasksPath;
    private const string Folder = Tasks + "proj:p:US/";
    private static readonly DateTimeOffset Now = DispatchFixture.Start;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_page_of_waiting_traces_is_let_go_once_it_is_classified()
    {
        var store = new LazyFolderStore(pages: 6, perPage: 200);
        var jobs = Substitute.For<IJobsClient>();
        var done = new[] { 5, 450, 1150 };
        jobs.ListPages(Arg.Is<JobListQuery>(q => q.States.Contains(JobState.Running)), Arg.Any<CancellationToken>())
            .Returns(_ => Page(Enumerable.Range(0, 1200).Except(done).Select(i => Job(i, JobState.Running))));
        jobs.ListPages(Arg.Is<JobListQuery>(q => q.States.SequenceEqual(new[] { JobState.Done })), Arg.Any<CancellationToken>())
            .Returns(_ => Page(done.Select(i => Job(i, JobState.Done))));
        var config = DispatchFixture.ConfigWith(null);
        var scanner = new TaskFolderScanner(config, store, new JobStateResolver(jobs, DispatchActivities.ResolverSettingsOf(config)));

        var scan = await scanner.Scan(new ScanRequest(Now, 100), None);

        Assert.Equal(6, store.PagesRead);
        Assert.Equal([], store.StillAlive);
        Assert.Equal(done.Select(i => Folder + Name(i)).Order(StringComparer.Ordinal), scan.Done.Select(t => t.Url));
        Assert.Equal(1197, Assert.Single(scan.Projects).Count);
    }

    [Fact]
    public void Traces_whose_job_the_active_listing_shows_are_only_counted()
    {
        var active = new ActiveJobs("p", new LaneRules([]), Now);
        active.Add(new JobListPage([Job(1, JobState.Running), Job(2, JobState.Pending)], []));
        var traces = new TraceClassification(Now, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
        var folder = new TaskFolder(Folder, "proj:p:US/", "p", "US");

        traces.AddPage(folder, new ActiveListing(active, false, null, TimeSpan.Zero), [.. new[] { 1, 2, 3 }.Select(i => Trace(folder, i))]);
        traces.AddPage(folder, new ActiveListing(active, false, null, TimeSpan.Zero), [.. new[] { 1, 2 }.Select(i => Trace(folder, i))]);

        Assert.Equal([Name(3).Replace(".", "_", StringComparison.Ordinal)], traces.Lookups().Select(l => l.JobId));
        traces.Decide(new JobStates());
        var project = Assert.Single(traces.Projects(new Dictionary<string, ActiveListing>()));
        Assert.Equal(4, project.Count);
        Assert.Equal(1, project.Unresolved);
    }

    [Fact]
    public void Awaited_next_steps_are_seen_in_any_trace_young_or_old_and_nothing_else_is_remembered()
    {
        var active = new ActiveJobs("p", new LaneRules([]), Now);
        var traces = new TraceClassification(Now, TimeSpan.FromMinutes(10), TimeSpan.FromHours(24), new HashSet<string> { "2_00001", "9_00002" });
        var folder = new TaskFolder(Folder, "proj:p:US/", "p", "US");

        // Five minutes old: all still inside the ten-minute think time.
        traces.AddPage(folder, new ActiveListing(active, false, null, TimeSpan.Zero), [.. new[] { 1, 2, 3 }.Select(i => Trace(folder, i))]);

        Assert.Equal(["2_00001"], traces.SeenSteps);
        Assert.Empty(traces.Lookups());
    }

    private static string Name(int i) => $"ds.t{i}--{i}_00001_load--dispatch";

    private static JobSnapshot Job(int i, JobState state) =>
        new("p", Name(i).Replace(".", "_", StringComparison.Ordinal), "US", state, JobType.Load, Now - TimeSpan.FromMinutes(5), Ended: state == JobState.Done ? Now : null);

    private static IAsyncEnumerable<JobListPage> Page(IEnumerable<JobSnapshot> jobs) => new[] { new JobListPage([.. jobs], []) }.ToAsyncEnumerable();

    private static (StoredObject, TraceName) Trace(TaskFolder folder, int i)
    {
        TraceName.TryParse(folder.RelativePrefix + Name(i), out var name);
        return (new StoredObject(folder.Url + Name(i), Name(i), i, 1, Now - TimeSpan.FromMinutes(5), Now - TimeSpan.FromMinutes(5)), name!);
    }

    /// <summary>
    /// A task folder whose one proj: folder is made a page at a time when asked for, remembering its objects only weakly;
    /// before making a page it collects garbage and notes every object of the pages before the last one still alive.
    /// </summary>
    private sealed class LazyFolderStore(int pages, int perPage) : IObjectStore
    {
        private readonly List<WeakReference<StoredObject>> made = [];
        private int released;

        public int PagesRead { get; private set; }

        public List<string> StillAlive { get; } = [];

        public async IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, [EnumeratorCancellation] CancellationToken cancellation)
        {
            if (folderUrl == Tasks)
            {
                await Task.Yield();
                yield return new Listing([], [Folder]);
                yield break;
            }

            for (var page = 0; page < pages; page++)
            {
                // Like a request for the next page, this lets the caller's stack unwind. The handler may still hold the
                // page before this one; every page before that must be gone.
                await Task.Yield();
                CheckReleased(upTo: (page - 1) * perPage);
                var objects = Enumerable.Range(page * perPage, perPage)
                    .Select(i => new StoredObject(Folder + Name(i), Name(i), i + 1, 900, Now - TimeSpan.FromMinutes(10), Now - TimeSpan.FromMinutes(10)))
                    .ToList();
                made.AddRange(objects.Select(o => new WeakReference<StoredObject>(o)));
                PagesRead++;
                yield return new Listing(objects, []);
            }

            CheckReleased(upTo: (pages - 1) * perPage);
        }

        public Task<byte[]> Read(string url, CancellationToken cancellation) => throw new NotSupportedException();

        public Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) => throw new NotSupportedException();

        public Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) => throw new NotSupportedException();

        public Task<CopyOutcome> CopyIfAbsent(
            string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation) =>
            throw new NotSupportedException();

        public Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation) =>
            throw new NotSupportedException();

        public Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation) => throw new NotSupportedException();

        public Task<ObjectPresence> Presence(string url, CancellationToken cancellation) => throw new NotSupportedException();

        public string? NameProblem(string url) => null;

        private void CheckReleased(int upTo)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            for (; released < upTo; released++)
            {
                if (made[released].TryGetTarget(out var alive))
                {
                    StillAlive.Add(alive.Name);
                }
            }
        }
    }
}
