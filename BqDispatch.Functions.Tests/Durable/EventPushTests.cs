using System.Net;
using System.Text;
using System.Text.Json;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.PubSub;
using BqDispatch.Emulators.Storage;
using BqDispatch.Functions.Tests.Support;
using Microsoft.DurableTask.Client;
using Xunit;

namespace BqDispatch.Functions.Tests.Durable;

/// <summary>
/// POST /api/events, the Pub/Sub push receiver, with the real event orchestration, LocateTrace and hand-off activities,
/// throttle and ledger entities on Azurite; tokens signed by a local key standing in for Google's.
/// </summary>
[Collection(DurableCollection.Name)]
public sealed class EventPushTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Audience = "https://bqdispatch.example/api/events";
    private const string Pusher = "pusher@p1.iam.gserviceaccount.com";
    private const string JobId = "ds_t--1_00001_load--dispatch";
    private const string Trace = Workloads.TasksPrefix + "proj:p1:US/ds.t--1_00001_load--dispatch";
    private static readonly JobCompletion Completion = new("p1", JobId, "US", null, null, "IMPORT");

    private PushTokenIssuer issuer = null!;

    public async Task InitializeAsync() => issuer = await PushTokenIssuer.StartAsync();

    public async Task DisposeAsync() => await issuer.DisposeAsync();

    [Fact]
    public async Task A_missing_or_wrong_token_is_refused_and_touches_nothing()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config(), Seed);
        var cases = new (string? Authorization, HttpStatusCode Expected)[]
        {
            (null, HttpStatusCode.Unauthorized),
            ("Bearer " + PushTokenIssuer.Unsigned(Audience, Pusher), HttpStatusCode.Unauthorized),
            ("Bearer " + issuer.Expired(Audience, Pusher), HttpStatusCode.Unauthorized),
            ("Bearer " + issuer.SignedByAnotherKey(Audience, Pusher), HttpStatusCode.Unauthorized),
            ("Bearer " + issuer.Token("https://other.example/api/events", Pusher), HttpStatusCode.Forbidden),
            ("Bearer " + issuer.Token(Audience, "someone@p1.iam.gserviceaccount.com"), HttpStatusCode.Forbidden),
        };

        foreach (var (authorization, expected) in cases)
        {
            Assert.Equal(expected, (await app.Functions.PostEvent(Push(Event()), authorization)).StatusCode);
        }

        Assert.Null(await app.Client.GetInstanceAsync(EventInstance.Id(Completion)));
        Assert.Null(await app.Client.Entities.GetEntityAsync(CompletionLedgerEntity.Id));
        Assert.True(app.Storage.Exists(Workloads.TasksBucket, Trace));
        Assert.Empty(app.Storage.Objects("demo-trigger"));
    }

    [Fact]
    public async Task A_valid_push_hands_off_once_through_the_event_orchestration_and_redeliveries_collapse_into_it()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config(limited: false), Seed);
        var token = "Bearer " + issuer.Token(Audience, Pusher);

        Assert.Equal(HttpStatusCode.NoContent, (await app.Functions.PostEvent(Push(Event()), token)).StatusCode);
        var handled = await app.Client.WaitForInstanceCompletionAsync(EventInstance.Id(Completion), getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, handled.RuntimeStatus);
        Assert.Equal(EventResult.HandedOff, handled.ReadOutputAs<EventResult>());

        // Two redeliveries and a body that is no push message: acknowledged (2xx), nothing started again.
        Assert.Equal(HttpStatusCode.NoContent, (await app.Functions.PostEvent(Push(Event()), token)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Functions.PostEvent(Push(Event()), token)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Functions.PostEvent(Encoding.UTF8.GetBytes("{not json"), token)).StatusCode);

        var trigger = Assert.Single(app.Storage.Objects("demo-trigger"));
        Assert.EndsWith("/proj:p1:US/" + JobId + ".json", trigger.Name, StringComparison.Ordinal);
        Assert.Equal(1, app.Storage.CreationCount("demo-trigger", trigger.Name));
        Assert.False(app.Storage.Exists(Workloads.TasksBucket, Trace));
        var ledger = await Ledger(app, l => l.Events.Received == 4);
        Assert.Equal(new EventCounts(Received: 4, Completions: 3, Duplicates: 2, Malformed: 1), ledger.Events);
        Assert.Equal(1, ledger.Event.Count);

        // The cycle after it finds nothing to do and reports the event path's hand-off.
        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: 1));
        var run = await app.WaitFor(i => i.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed);
        var status = StatusJson.Deserialize<StatusDocument>(run.SerializedOutput!);
        Assert.Equal(0, status.Totals.HandedOff);
        Assert.Equal((1, 0), (status.Completions!.Event.Count, status.Completions.Poll.Count));
    }

    [Fact]
    public async Task Under_a_limit_no_cycle_has_observed_yet_the_event_leaves_the_trace_to_the_sweep_which_hands_it_off()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config(), Seed);

        Assert.Equal(HttpStatusCode.NoContent, (await app.Functions.PostEvent(Push(Event()), "Bearer " + issuer.Token(Audience, Pusher))).StatusCode);
        var handled = await app.Client.WaitForInstanceCompletionAsync(EventInstance.Id(Completion), getInputsAndOutputs: true);
        Assert.Equal(EventResult.Held, handled.ReadOutputAs<EventResult>());
        Assert.Empty(app.Storage.Objects("demo-trigger"));

        await app.StartRun(new RunChain(1, Chained: false, Previous: null, MaxCycles: 1));
        var run = await app.WaitFor(i => i.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed);
        var status = StatusJson.Deserialize<StatusDocument>(run.SerializedOutput!);

        Assert.Equal(1, status.Totals.HandedOff);
        Assert.Single(app.Storage.Objects("demo-trigger"));

        // A hand-off counts for the path that saw the job DONE first, whichever made it: its lag is the event path's.
        Assert.Equal((1, 0), (status.Completions!.Event.Count, status.Completions.Poll.Count));
    }

    [Fact]
    public async Task An_event_for_a_job_no_trace_waits_for_is_counted_unknown_and_hands_off_nothing()
    {
        await using var app = await DurableApp.Start(azurite.Azurite, Config(), Seed);
        var stranger = new JobCompletion("p1", "bquxjob_5678", "US", null, null, "QUERY");

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await app.Functions.PostEvent(Push(Event("bquxjob_5678")), "Bearer " + issuer.Token(Audience, Pusher))).StatusCode);
        var handled = await app.Client.WaitForInstanceCompletionAsync(EventInstance.Id(stranger), getInputsAndOutputs: true);

        Assert.Equal(EventResult.UnknownJob, handled.ReadOutputAs<EventResult>());
        Assert.Equal(1, (await Ledger(app, l => l.Events.UnknownJobs == 1)).Events.UnknownJobs);
        Assert.Empty(app.Storage.Objects("demo-trigger"));
        Assert.True(app.Storage.Exists(Workloads.TasksBucket, Trace));
    }

    // The demo's limits (a limited kind needs a cycle's observation of the project), or none.
    private string Config(bool limited = true) => DurableApp.Config(new
    {
        MaxConcurrentSQL = limited ? 3 : 0,
        MaxConcurrentLoad = limited ? 4 : 0,
        ThinkTimeMs = 0,
        EventAudience = Audience,
        EventServiceAccount = Pusher,
        EventKeysURL = issuer.KeysUrl,
    });

    [Fact]
    public async Task An_event_for_a_job_no_trace_waits_for_is_routed_by_a_matching_rule_through_the_route_activity()
    {
        var config = DurableApp.Config(new
        {
            ThinkTimeMs = 0,
            EventAudience = Audience,
            EventServiceAccount = Pusher,
            EventKeysURL = issuer.KeysUrl,
            RouteProjects = new[] { "p1" },
            Rules = new[]
            {
                new
                {
                    When = new { Dest = ":mydataset\\.my_table_v2$", Type = "QUERY" },
                    OnSuccess = new[] { new { Action = "export", Request = new { DestURL = "gs://exports/v2.json" } } },
                    Info = new { Name = "export_v2" },
                },
            },
        });
        await using var app = await DurableApp.Start(azurite.Azurite, config, (storage, bigQuery) =>
        {
            Seed(storage, bigQuery);
            var ended = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5);
            bigQuery.AddJob(new EmulatedJob("p1", "scheduled_query_7", "US", EmulatedJobType.Query, "analyst@p1", ended.AddSeconds(-20))
            {
                RunningAt = ended.AddSeconds(-20),
                DoneAt = ended,
                Destination = new EmulatedTable("p1", "mydataset", "my_table_v2"),
            });
        });
        var routedJob = new JobCompletion("p1", "scheduled_query_7", "US", null, null, "QUERY");

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await app.Functions.PostEvent(Push(Event("scheduled_query_7")), "Bearer " + issuer.Token(Audience, Pusher))).StatusCode);
        var handled = await app.Client.WaitForInstanceCompletionAsync(EventInstance.Id(routedJob), getInputsAndOutputs: true);

        Assert.Equal(EventResult.Routed, handled.ReadOutputAs<EventResult>());
        var trigger = Assert.Single(app.Storage.Objects("demo-trigger"));
        Assert.EndsWith("/proj:p1:US/scheduled_query_7.json", trigger.Name, StringComparison.Ordinal);
        Assert.Equal(1, (await Ledger(app, l => l.Events.Routed == 1)).Events.Routed);
    }

    // The audit entry a log sink sends for the job's end, just now.
    private static string Event(string jobId = JobId)
    {
        var ended = DateTimeOffset.UtcNow;
        return AuditLogFeed.Entry(new EmulatedJob("p1", jobId, "US", EmulatedJobType.Load, "tail@p1", ended.AddSeconds(-10))
        {
            RunningAt = ended.AddSeconds(-10),
            DoneAt = ended,
        });
    }

    // The body Pub/Sub push sends: the message with its data in base64.
    private static byte[] Push(string entry) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        message = new { data = Convert.ToBase64String(Encoding.UTF8.GetBytes(entry)), messageId = "1", publishTime = DateTimeOffset.UtcNow },
        subscription = "projects/p1/subscriptions/bq-job-done",
    }));

    // The ledger entity's state once the condition holds (signals are one-way; they land shortly after the answer).
    private static async Task<CompletionReport> Ledger(DurableApp app, Func<CompletionReport, bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var entity = await app.Client.Entities.GetEntityAsync<CompletionLedger>(CompletionLedgerEntity.Id);
            var report = entity?.State.Report();
            if (report is not null && (condition(report) || DateTime.UtcNow > until))
            {
                return report;
            }

            Assert.True(DateTime.UtcNow < until, "the ledger entity did not appear within 30 s");
            await Task.Delay(100);
        }
    }

    // A load whose job finished a minute ago, its trace written before it.
    private static void Seed(CloudStorageEmulator storage, BigQueryEmulator bigQuery)
    {
        var created = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2);
        storage.Seed(Workloads.TasksBucket, Trace, Encoding.UTF8.GetBytes("{}"), created);
        bigQuery.AddJob(new EmulatedJob("p1", JobId, "US", EmulatedJobType.Load, "tail@p1", created)
        {
            RunningAt = created.AddSeconds(1),
            DoneAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1),
        });
    }
}
