using System.Text;
using BqDispatch.Core.Naming;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Benchmarks.Soak;

/// <summary>
/// A simulated BqTail, talking to the emulators directly (no faults): it starts events, each a chain of jobs
/// (load → copy → query → delete, the last starting no job), writing each job's trace before the job; it writes batch
/// windows; and it consumes every trigger object within ~0.5 s of its creation (reads it, deletes it, runs the next step).
/// It also keeps the truth the soak is judged by: every trace, its job's end, and every trigger object made.
/// </summary>
public sealed class SoakBqTail(CloudStorageEmulator storage, BigQueryEmulator bigQuery, SoakOptions options)
{
    public const string TasksBucket = "soak-dispatch";
    public const string TasksPrefix = "BqDispatch/Tasks/";
    public const string TriggerBucket = "soak-trigger";
    public const string Tail = "bqtail@soak.iam.gserviceaccount.com";

    public static readonly (string Project, string Region)[] Folders =
        [("p-sales", "US"), ("p-sales", "EU"), ("p-ads", "US"), ("p-ads", "EU"), ("p-logs", "US"), ("p-logs", "EU")];

    private static readonly Dictionary<string, string> NextAction = new() { ["load"] = "copy", ["copy"] = "query", ["query"] = "delete" };
    private static readonly byte[] TraceContent = Encoding.UTF8.GetBytes("{\"Action\":\"load\",\"Meta\":{}," + new string(' ', 900) + "}");

    private readonly Lock gate = new();
    private readonly Random random = new(options.Seed);
    private readonly Dictionary<string, SoakTrace> traces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> consumeAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> windows = new(StringComparer.Ordinal);
    private readonly HashSet<string> held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset? Created, DateTimeOffset? Consumed)> windowTriggers = new(StringComparer.Ordinal);
    private long events;

    /// <summary>Every trace written, by its trigger object name.</summary>
    public IReadOnlyList<SoakTrace> Traces
    {
        get
        {
            lock (gate)
            {
                return [.. traces.Values];
            }
        }
    }

    /// <summary>The _batch_ object names of every window written.</summary>
    public IReadOnlyList<string> Windows
    {
        get
        {
            lock (gate)
            {
                return [.. windows];
            }
        }
    }

    /// <summary>Trigger objects BqTail consumed, first sightings only.</summary>
    public int Consumed { get; private set; }

    /// <summary>Starts new events at the configured trace rate (each event makes three traces) until <paramref name="stop"/>.</summary>
    public async Task Produce(CancellationToken stop)
    {
        var perEvent = TimeSpan.FromSeconds(3.0 / options.TracesPerSecond);
        var nextWindow = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(perEvent);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var (project, region) = Folders[Draw(Folders.Length)];
                StartEvent(project, region);
                if (DateTimeOffset.UtcNow >= nextWindow)
                {
                    WriteWindow();
                    nextWindow = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Production ends; the chains already started go on through Consume.
        }
    }

    /// <summary>Takes every trigger object within ~0.5 s of its creation until <paramref name="stop"/>.</summary>
    public async Task Consume(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                ConsumeDue(DateTimeOffset.UtcNow);
            }
        }
        catch (OperationCanceledException)
        {
            // The soak is over.
        }
    }

    /// <summary>
    /// True when every job ended and every trace and window was handed off (its trigger object exists or existed), and
    /// BqTail has taken every trigger object: nothing more will come of what was started.
    /// </summary>
    public bool Settled(DateTimeOffset now) =>
        storage.Objects(TriggerBucket).Count == 0
        && Traces.All(t => t.JobEnds <= now && storage.CreationCount(TriggerBucket, t.TriggerName) > 0)
        && Windows.All(w => storage.CreationCount(TriggerBucket, w) > 0);

    /// <summary>Notes that the dispatcher held the trace at <paramref name="traceUrl"/> back: its wait is the throttle's, not detection.</summary>
    public void Held(string traceUrl)
    {
        lock (gate)
        {
            held.Add(traceUrl[(traceUrl.IndexOf(TasksPrefix, StringComparison.Ordinal) + TasksPrefix.Length)..]);
        }
    }

    /// <summary>True when the trace was held back by a limit at least once.</summary>
    public bool WasHeld(SoakTrace trace)
    {
        lock (gate)
        {
            return held.Contains(trace.TraceName);
        }
    }

    /// <summary>
    /// The most that a dispatcher listing BigQuery and the trigger folders between <paramref name="from"/> and
    /// <paramref name="to"/> can have seen holding slots of <paramref name="kind"/> in <paramref name="project"/>: jobs
    /// running at some moment of that time, and trigger objects BqTail had not taken yet at some moment of it (by the
    /// kind of their trace; a window's counts as a load).
    /// </summary>
    public int Busy(string project, JobKind kind, DateTimeOffset from, DateTimeOffset to)
    {
        var live = storage.Objects(TriggerBucket).Where(o => o.Created <= to).Select(o => o.Name);
        lock (gate)
        {
            var running = traces.Values.Count(t => t.Project == project && t.Kind == kind && t.JobStarts <= to && t.JobEnds > from);
            var awaiting = traces.Values.Where(t => t.TriggerCreated <= to && !(t.TriggerConsumed <= from)).Select(t => t.TriggerName)
                .Concat(windowTriggers.Where(w => w.Value.Created <= to && !(w.Value.Consumed <= from)).Select(w => w.Key))
                .Concat(live)
                .Distinct(StringComparer.Ordinal)
                .Count(name => traces.TryGetValue(name, out var trace)
                    ? trace.Project == project && trace.Kind == kind
                    : kind == JobKind.Load && windows.Contains(name) && BatchingKey.WindowProject(name["_batch_/".Length..], "") == project);
            return running + awaiting;
        }
    }

    private void StartEvent(string project, string region)
    {
        var id = Interlocked.Increment(ref events);
        Submit(project, region, new JobInfo($"ds{id % 7}.events", $"{id}", 1, "load", JobIdCodec.DispatchMode));
    }

    /// <summary>One step: its trace first (as BqTail writes it before jobs.insert), then its job, running 1–20 s.</summary>
    private void Submit(string project, string region, JobInfo step)
    {
        var now = DateTimeOffset.UtcNow;
        var seconds = 1 + (Draw(19_000) / 1000.0);
        var traceName = TasksPrefix + JobIdCodec.JobFilename(step, project, region);
        var trigger = TriggerPaths.PostJob("gs://" + TriggerBucket, "/_bqjob_/", now, project, region, step);
        var soakTrace = new SoakTrace(
            project, region, JobKinds.FromAction(step.Action), traceName[TasksPrefix.Length..], trigger[("gs://" + TriggerBucket + "/").Length..], now, now + TimeSpan.FromSeconds(seconds));
        lock (gate)
        {
            traces[soakTrace.TriggerName] = soakTrace;
        }

        storage.Seed(TasksBucket, traceName, TraceContent, now);
        var type = step.Action switch { "load" => EmulatedJobType.Load, "copy" => EmulatedJobType.Copy, _ => EmulatedJobType.Query };
        bigQuery.AddJob(new EmulatedJob(project, JobIdCodec.JobId(step), region, type, Tail, now)
        {
            RunningAt = now,
            DoneAt = soakTrace.JobEnds,
        });
    }

    /// <summary>A batch window of a project's table ending 5 s from now (due 7 s after its end), as the first file of a batch makes it.</summary>
    private void WriteWindow()
    {
        var (project, _) = Folders[Draw(Folders.Length)];
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5;
        var name = $"{project}:ds.batched_{Draw(1_000_000)}_{end}.win";
        lock (gate)
        {
            windows.Add("_batch_/" + name);
        }

        storage.Seed(TasksBucket, TasksPrefix + name, "{\"Window\":{}}"u8, DateTimeOffset.UtcNow);
    }

    private void ConsumeDue(DateTimeOffset now)
    {
        foreach (var trigger in storage.Objects(TriggerBucket))
        {
            DateTimeOffset due;
            lock (gate)
            {
                if (!consumeAt.TryGetValue(trigger.Name + "#" + trigger.Generation, out due))
                {
                    due = trigger.Created + TimeSpan.FromMilliseconds(Draw(500));
                    consumeAt[trigger.Name + "#" + trigger.Generation] = due;
                    if (traces.TryGetValue(trigger.Name, out var trace) && trace.TriggerCreated is null)
                    {
                        trace.TriggerCreated = trigger.Created;
                    }
                    else if (windows.Contains(trigger.Name) && !windowTriggers.ContainsKey(trigger.Name))
                    {
                        windowTriggers[trigger.Name] = (trigger.Created, null);
                    }
                }
            }

            if (now < due || storage.Read(TriggerBucket, trigger.Name) is null || !storage.Delete(TriggerBucket, trigger.Name))
            {
                continue;
            }

            Consumed++;
            lock (gate)
            {
                if (traces.TryGetValue(trigger.Name, out var trace))
                {
                    trace.TriggerConsumed ??= now;
                }
                else if (windowTriggers.TryGetValue(trigger.Name, out var life) && life.Consumed is null)
                {
                    windowTriggers[trigger.Name] = (life.Created, now);
                }
            }

            FollowUp(trigger.Name);
        }
    }

    /// <summary>What BqTail does once it has read a trigger object: the next step of the chain, or a load for a window.</summary>
    private void FollowUp(string triggerName)
    {
        SoakTrace? done;
        lock (gate)
        {
            traces.TryGetValue(triggerName, out done);
        }

        if (done is not null)
        {
            var info = JobIdCodec.Parse(triggerName[(triggerName.LastIndexOf('/') + 1)..]);
            var next = NextAction[info.Action];
            if (next != "delete")
            {
                Submit(done.Project, done.Region, info with { DestTable = info.DestTable + "_" + next, Step = info.Step + 1, Action = next });
            }
        }
        else if (triggerName.StartsWith("_batch_/", StringComparison.Ordinal))
        {
            var project = BatchingKey.WindowProject(triggerName["_batch_/".Length..], Folders[0].Project);
            Submit(project, "US", new JobInfo("ds.batched", $"w{Interlocked.Increment(ref events)}", 1, "load", JobIdCodec.DispatchMode));
        }
    }

    private int Draw(int below)
    {
        lock (random)
        {
            return random.Next(below);
        }
    }
}

/// <summary>One trace the simulated BqTail wrote: where its trigger object must appear, and when its job ends.</summary>
public sealed class SoakTrace(
    string project, string region, JobKind kind, string traceName, string triggerName, DateTimeOffset jobStarts, DateTimeOffset jobEnds)
{
    public DateTimeOffset JobStarts { get; } = jobStarts;

    /// <summary>The trace's name relative to AsyncTaskURL.</summary>
    public string TraceName { get; } = traceName;

    public string Project { get; } = project;

    public string Region { get; } = region;

    public JobKind Kind { get; } = kind;

    /// <summary>The _bqjob_ object name its hand-off must create.</summary>
    public string TriggerName { get; } = triggerName;

    public DateTimeOffset JobEnds { get; } = jobEnds;

    /// <summary>When its trigger object was first seen created (the emulator's timeCreated).</summary>
    public DateTimeOffset? TriggerCreated { get; set; }

    /// <summary>When BqTail took its trigger object (read it and deleted it).</summary>
    public DateTimeOffset? TriggerConsumed { get; set; }
}
