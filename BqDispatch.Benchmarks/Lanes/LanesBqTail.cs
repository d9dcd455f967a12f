using System.Text;
using BqDispatch.Core.Naming;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks.Lanes;

/// <summary>
/// The lanes-5k workload and a simulated BqTail, talking to the emulators directly: 4,000 backfill loads finished
/// before the start, 1,000 live loads finishing at a steady rate while the dispatcher runs, all in one project under one
/// load limit; BqTail takes each trigger object within ~0.1 s and starts the follow-up load, which holds a slot for a
/// while. It keeps the truth: when each job ended and when its trigger object was created.
/// </summary>
public sealed class LanesBqTail(CloudStorageEmulator storage, BigQueryEmulator bigQuery)
{
    public const string Project = "p-bench";
    public const string TasksBucket = "lanes-dispatch";
    public const string TasksPrefix = "Tasks/";
    public const string TriggerBucket = "lanes-trigger";
    public const int Backfill = 4_000;
    public const int Live = 1_000;

    /// <summary>How long a follow-up load BqTail starts runs: what a slot is held for.</summary>
    public static readonly TimeSpan FollowUpRuns = TimeSpan.FromSeconds(2);

    /// <summary>Live loads finish this often.</summary>
    public static readonly TimeSpan LiveEvery = TimeSpan.FromMilliseconds(50);

    private static readonly byte[] TraceContent = Encoding.UTF8.GetBytes("{\"Action\":\"load\"}");

    private readonly Lock gate = new();
    private readonly Dictionary<string, DateTimeOffset> ended = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> handedOff = new(StringComparer.Ordinal);
    private readonly HashSet<string> live = new(StringComparer.Ordinal);
    private int follow;

    public int HandedOff
    {
        get
        {
            lock (gate)
            {
                return handedOff.Count;
            }
        }
    }

    /// <summary>Per live trace (by event id), from its job's end to its trigger object's creation.</summary>
    public IReadOnlyList<TimeSpan> LiveWaits()
    {
        lock (gate)
        {
            return [.. handedOff.Where(h => live.Contains(h.Key)).Select(h => h.Value - ended[h.Key])];
        }
    }

    /// <summary>When the last backfill trigger object was created.</summary>
    public DateTimeOffset BackfillDrained()
    {
        lock (gate)
        {
            return handedOff.Where(h => !live.Contains(h.Key)).Max(h => h.Value);
        }
    }

    /// <summary>The backfill: loads into 40 tables of a backfill dataset, traced an hour ago, finished a minute ago.</summary>
    public void SeedBackfill(DateTimeOffset now)
    {
        for (var i = 0; i < Backfill; i++)
        {
            Finished($"backfill.events_{i % 40}", $"{i}", now - TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(i), now - TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>The live loads, one every <see cref="LiveEvery"/>: each traced as it started, two seconds before it ends now.</summary>
    public async Task Produce(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(LiveEvery);
        try
        {
            for (var i = 0; i < Live && await timer.WaitForNextTickAsync(stop); i++)
            {
                var now = DateTimeOffset.UtcNow;
                lock (gate)
                {
                    live.Add($"L{i}");
                }

                Finished($"live.clicks_{i % 10}", $"L{i}", now - TimeSpan.FromSeconds(2), now);
            }
        }
        catch (OperationCanceledException)
        {
            // The dispatcher is done.
        }
    }

    /// <summary>Takes every trigger object about every 100 ms (deletes it, starts its follow-up load) until <paramref name="stop"/>.</summary>
    public async Task Consume(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                foreach (var trigger in storage.Objects(TriggerBucket))
                {
                    Take(trigger.Name, trigger.Created);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The dispatcher is done.
        }
    }

    private void Take(string name, DateTimeOffset created)
    {
        var info = JobIdCodec.Parse(name[(name.LastIndexOf('/') + 1)..]);
        lock (gate)
        {
            handedOff.TryAdd(info.EventId, created);
        }

        storage.Delete(TriggerBucket, name);
        var next = info with { Step = 2, EventId = $"{info.EventId}f{Interlocked.Increment(ref follow)}" };
        var now = DateTimeOffset.UtcNow;
        bigQuery.AddJob(new EmulatedJob(Project, JobIdCodec.JobId(next), "US", EmulatedJobType.Load, "bqtail@bench", now)
        {
            RunningAt = now,
            DoneAt = now + FollowUpRuns,
        });
    }

    private void Finished(string table, string eventId, DateTimeOffset traced, DateTimeOffset end)
    {
        var info = new JobInfo(table, eventId, 1, "load", JobIdCodec.DispatchMode);
        storage.Seed(TasksBucket, TasksPrefix + JobIdCodec.JobFilename(info, Project, "US"), TraceContent, traced);
        bigQuery.AddJob(new EmulatedJob(Project, JobIdCodec.JobId(info), "US", EmulatedJobType.Load, "bqtail@bench", traced)
        {
            RunningAt = traced,
            DoneAt = end,
        });
        lock (gate)
        {
            ended[eventId] = end;
        }
    }
}
