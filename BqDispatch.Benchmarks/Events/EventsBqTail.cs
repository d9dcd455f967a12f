using System.Text;
using BqDispatch.Core.Naming;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks.Events;

/// <summary>
/// The events-2k workload and a simulated BqTail, talking to the emulators directly: 2,000 traced loads over 2 projects
/// × 2 regions, all running at the start and finishing one every 30 ms (over 60 s); BqTail takes each trigger object
/// within ~0.1 s. It keeps the truth: when each job ended and when its trigger object was created. For the idle
/// measurement, <see cref="SeedIdle"/> lays out 8 folders whose traces' jobs never finish.
/// </summary>
public sealed class EventsBqTail(CloudStorageEmulator storage, BigQueryEmulator bigQuery)
{
    public const string TasksBucket = "events-dispatch";
    public const string TasksPrefix = "Tasks/";
    public const string TriggerBucket = "events-trigger";
    public const int Jobs = 2_000;

    public static readonly string[] Projects = ["p-bench-a", "p-bench-b"];
    public static readonly string[] Regions = ["US", "EU"];

    /// <summary>Jobs finish this often, the first one <see cref="FirstEnd"/> after the start.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(30);

    public static readonly TimeSpan FirstEnd = TimeSpan.FromSeconds(3);

    private static readonly byte[] TraceContent = Encoding.UTF8.GetBytes("{\"Action\":\"load\"}");

    private readonly Lock gate = new();
    private readonly Dictionary<string, DateTimeOffset> ended = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> handedOff = new(StringComparer.Ordinal);

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

    /// <summary>Per trace, from its job's end to its trigger object's creation.</summary>
    public IReadOnlyList<TimeSpan> Lags()
    {
        lock (gate)
        {
            return [.. handedOff.Select(h => h.Value - ended[h.Key])];
        }
    }

    /// <summary>The workload: traced 10 s before <paramref name="start"/>, running, each finishing at its turn.</summary>
    public void Seed(DateTimeOffset start)
    {
        for (var i = 0; i < Jobs; i++)
        {
            var project = Projects[i % Projects.Length];
            var region = Regions[i / Projects.Length % Regions.Length];
            Traced(project, region, $"ds.events_{i % 20}", $"{i}", start - TimeSpan.FromSeconds(10), start + FirstEnd + (Every * i));
        }
    }

    /// <summary>4 projects × 2 regions, 10 traces each, whose jobs run on: a dispatcher with nothing to do.</summary>
    public void SeedIdle(DateTimeOffset now)
    {
        for (var p = 0; p < 4; p++)
        {
            foreach (var region in Regions)
            {
                for (var i = 0; i < 10; i++)
                {
                    Traced($"p-idle-{p}", region, "ds.t", $"{p}{region}{i}", now - TimeSpan.FromMinutes(1), null);
                }
            }
        }
    }

    /// <summary>Takes every trigger object about every 100 ms until <paramref name="stop"/>.</summary>
    public async Task Consume(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                foreach (var trigger in storage.Objects(TriggerBucket))
                {
                    lock (gate)
                    {
                        handedOff.TryAdd(JobIdCodec.Parse(trigger.Name[(trigger.Name.LastIndexOf('/') + 1)..]).EventId, trigger.Created);
                    }

                    storage.Delete(TriggerBucket, trigger.Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The measurement is over.
        }
    }

    private void Traced(string project, string region, string table, string eventId, DateTimeOffset traced, DateTimeOffset? end)
    {
        var info = new JobInfo(table, eventId, 1, "load", JobIdCodec.DispatchMode);
        storage.Seed(TasksBucket, TasksPrefix + JobIdCodec.JobFilename(info, project, region), TraceContent, traced);
        bigQuery.AddJob(new EmulatedJob(project, JobIdCodec.JobId(info), region, EmulatedJobType.Load, "bqtail@bench", traced)
        {
            RunningAt = traced,
            DoneAt = end,
        });
        if (end is { } at)
        {
            lock (gate)
            {
                ended[eventId] = at;
            }
        }
    }
}
