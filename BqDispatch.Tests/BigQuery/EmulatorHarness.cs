using BqDispatch.Core.BigQuery;
using BqDispatch.Emulators.BigQuery;

namespace BqDispatch.Tests.BigQuery;

/// <summary>A running emulator and a JobsRestClient pointed at it over real HTTP.</summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    public const string Project = "proj-a";
    public const string Caller = "dispatcher@proj-a.iam.gserviceaccount.com";
    public const string OtherUser = "someone@example.com";

    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private EmulatorHarness(BigQueryEmulator emulator, HttpClient http, JobsRestClient client)
    {
        Emulator = emulator;
        Http = http;
        Client = client;
    }

    public BigQueryEmulator Emulator { get; }

    public HttpClient Http { get; }

    public JobsRestClient Client { get; }

    /// <summary>The clock the emulator reads; tests move it.</summary>
    public DateTimeOffset Now { get; set; } = T0;

    public static async Task<EmulatorHarness> Start(
        bool mayListAllUsers = true,
        int maxPageSize = 1000,
        int clientPageSize = JobsRestClient.DefaultPageSize,
        TimeSpan? httpTimeout = null)
    {
        EmulatorHarness? harness = null;
        var emulator = await BigQueryEmulator.StartAsync(new BigQueryEmulatorOptions
        {
            Clock = () => harness?.Now ?? T0,
            CallerEmail = Caller,
            CallerMayListAllUsers = mayListAllUsers,
            MaxPageSize = maxPageSize,
        });
        var http = new HttpClient { Timeout = httpTimeout ?? TimeSpan.FromSeconds(30) };
        harness = new EmulatorHarness(emulator, http, new JobsRestClient(http, emulator.BaseUrl.AbsoluteUri, clientPageSize));
        emulator.AddProject(Project);
        return harness;
    }

    /// <summary>A job created at <paramref name="created"/>: pending until +1 min, running until +2 min, then done.</summary>
    public static EmulatedJob Job(
        string jobId,
        DateTimeOffset created,
        string location = "US",
        EmulatedJobType type = EmulatedJobType.Load,
        string user = Caller) =>
        new(Project, jobId, location, type, user, created)
        {
            RunningAt = created.AddMinutes(1),
            DoneAt = created.AddMinutes(2),
        };

    public static JobListQuery Query(
        IReadOnlyList<JobState>? states = null,
        DateTimeOffset? min = null,
        DateTimeOffset? max = null,
        bool allUsers = true,
        string project = Project) =>
        new(project, states ?? [], min, max, allUsers);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}
