namespace BqDispatch.Core.Events;

/// <summary>The two ways a dispatcher learns that a job is DONE.</summary>
public enum CompletionPath
{
    /// <summary>The jobs.list / jobs.get sweep of a cycle.</summary>
    Poll,

    /// <summary>A completion event (audit log → Pub/Sub, pulled or pushed).</summary>
    Event,
}

/// <summary>One job as the ledger knows it: who saw it DONE first and when, and when it was handed off.</summary>
public sealed record LedgerEntry(CompletionPath FirstPath, DateTimeOffset FirstSeen, DateTimeOffset? Ended, DateTimeOffset? HandedOff = null);

/// <summary>What happened to the messages a receiver got, whatever they were.</summary>
/// <param name="Routed">Completions of jobs no trace waits for that a route rule routed.</param>
public sealed record EventCounts(
    int Received = 0, int Completions = 0, int Duplicates = 0, int UnknownJobs = 0, int NotCompletions = 0, int Malformed = 0, int Routed = 0)
{
    /// <summary>One message received, of this kind.</summary>
    public static EventCounts Of(EntryKind kind) => new(
        Received: 1,
        Completions: kind == EntryKind.Completion ? 1 : 0,
        NotCompletions: kind == EntryKind.NotACompletion ? 1 : 0,
        Malformed: kind == EntryKind.Malformed ? 1 : 0);
}

/// <summary>
/// The ledger of job completions of one dispatcher: for each job, the path that first saw it DONE and when, and when it
/// was handed off, so the sweep leaves to an event what the event is handling (and takes over when it does not finish)
/// and the detection lag (BigQuery's end time → hand-off) is counted once, for the path that saw the job first.
/// Bounded: jobs are forgotten after <see cref="Memory"/>, and at most <see cref="MaxJobs"/> are kept. A pure state
/// machine (time is an input), so it can be a durable entity's state as it is.
/// </summary>
public sealed class CompletionLedger
{
    /// <summary>How long a job is remembered: far longer than a redelivered event or a lagging listing arrives.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(30);

    /// <summary>How long the sweep leaves a job to the event that saw it first, unless that event's work ended.</summary>
    public static readonly TimeSpan EventHeadStart = TimeSpan.FromSeconds(15);

    public const int MaxJobs = 20_000;

    public Dictionary<string, LedgerEntry> Jobs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Jobs whose event-path work ended without a hand-off (held back, not found yet): the sweep may act.</summary>
    public HashSet<string> Released { get; set; } = new(StringComparer.Ordinal);

    public LagFigures Poll { get; set; } = new();

    public LagFigures Event { get; set; } = new();

    public EventCounts Events { get; set; } = new();

    /// <summary>When old jobs are next looked for (once a minute, or when the ledger is full).</summary>
    public DateTimeOffset NextForget { get; set; }

    public static string Key(string project, string jobId) => project + "/" + jobId;

    /// <summary>
    /// Records that <paramref name="path"/> saw the job DONE; returns true when this path may act on it now: always for
    /// an event (a hand-off is exactly once whoever tries); for the sweep, unless an event saw it first within
    /// <see cref="EventHeadStart"/> and is still at work on it.
    /// </summary>
    public bool Sight(string key, CompletionPath path, DateTimeOffset? ended, DateTimeOffset now)
    {
        Forget(now);
        if (!Jobs.TryGetValue(key, out var entry))
        {
            Jobs[key] = new LedgerEntry(path, now, ended);
            return true;
        }

        if (entry.HandedOff is not null)
        {
            return false;
        }

        if (entry.Ended is null && ended is not null)
        {
            Jobs[key] = entry with { Ended = ended };
        }

        return path == CompletionPath.Event
            || entry.FirstPath == CompletionPath.Poll
            || Released.Contains(key)
            || now - entry.FirstSeen >= EventHeadStart;
    }

    /// <summary>The event path could not hand the job off (throttled, trace not found, too young): the sweep takes over.</summary>
    public void Release(string key)
    {
        if (Jobs.ContainsKey(key))
        {
            Released.Add(key);
        }
    }

    /// <summary>Records a hand-off (or one found done by someone else); its lag counts for the path that saw the job first.</summary>
    public void HandedOff(string key, DateTimeOffset? ended, DateTimeOffset at)
    {
        var entry = Jobs.TryGetValue(key, out var known) ? known : new LedgerEntry(CompletionPath.Poll, at, ended);
        if (entry.HandedOff is not null)
        {
            return;
        }

        var end = entry.Ended ?? ended;
        Jobs[key] = entry with { HandedOff = at, Ended = end };
        Released.Remove(key);
        (entry.FirstPath == CompletionPath.Event ? Event : Poll).Add(end is { } e ? at - e : null);
    }

    public void Count(EventCounts delta) => Events = new EventCounts(
        Events.Received + delta.Received,
        Events.Completions + delta.Completions,
        Events.Duplicates + delta.Duplicates,
        Events.UnknownJobs + delta.UnknownJobs,
        Events.NotCompletions + delta.NotCompletions,
        Events.Malformed + delta.Malformed,
        Events.Routed + delta.Routed);

    /// <summary>
    /// An event says the job is DONE: returns true when it was handed off already (nothing to do). A delivery that is not
    /// a retry of this dispatcher's own (see <see cref="EventSighting.Retry"/>) of a job an event saw before is a duplicate.
    /// </summary>
    public bool SightEvent(EventSighting sighting)
    {
        var seen = Jobs.GetValueOrDefault(sighting.Key);
        if (!sighting.Retry && seen?.FirstPath == CompletionPath.Event)
        {
            Count(new EventCounts(Duplicates: 1));
        }

        Sight(sighting.Key, CompletionPath.Event, sighting.Ended, sighting.Now);
        return seen?.HandedOff is not null;
    }

    /// <summary>What the event path's work on a job came to: a hand-off is recorded; anything else leaves the job to the sweep.</summary>
    public void Settle(EventSettlement settlement)
    {
        switch (settlement.Result)
        {
            case EventResult.HandedOff or EventResult.AlreadyHandedOff:
                HandedOff(settlement.Key, settlement.Ended, settlement.At);
                break;
            case EventResult.TooYoung:
                // Still the event's: it acts when the trace is old enough.
                break;
            case EventResult.Routed:
                Release(settlement.Key);
                Count(new EventCounts(Routed: 1));
                break;
            case EventResult.UnknownJob:
                // No trace waits: unknown, unless the sweep saw the job DONE first and took its trace on.
                if (Jobs.GetValueOrDefault(settlement.Key)?.FirstPath != CompletionPath.Poll)
                {
                    Count(new EventCounts(UnknownJobs: 1));
                }

                Release(settlement.Key);
                break;
            default:
                Release(settlement.Key);
                break;
        }
    }

    /// <summary>
    /// A cycle's question: it found these jobs DONE (<see cref="SweepRequest.Done"/>) and handed these off in its previous
    /// round (<see cref="SweepRequest.HandedOff"/>); which of the DONE jobs is it to leave to the events at work on them?
    /// </summary>
    public SweepAnswer Sweep(SweepRequest request)
    {
        foreach (var handOff in request.HandedOff)
        {
            Sight(handOff.Key, CompletionPath.Poll, handOff.Ended, handOff.At);
            HandedOff(handOff.Key, handOff.Ended, handOff.At);
        }

        var leave = request.Done.Where(job => !Sight(job.Key, CompletionPath.Poll, job.Ended, request.Now)).Select(job => job.Key).ToList();
        return new SweepAnswer(leave, Report());
    }

    /// <summary>The figures for the status document.</summary>
    public CompletionReport Report() => new(Poll.Summary(), Event.Summary(), Events);

    private void Forget(DateTimeOffset now)
    {
        if (Jobs.Count < MaxJobs && now < NextForget)
        {
            return;
        }

        NextForget = now + TimeSpan.FromMinutes(1);

        var keep = Jobs.Where(j => j.Value.FirstSeen > now - Memory)
            .OrderByDescending(j => j.Value.FirstSeen)
            .Take(MaxJobs * 3 / 4)
            .ToDictionary(j => j.Key, j => j.Value, StringComparer.Ordinal);
        Jobs = keep;
        Released.RemoveWhere(k => !keep.ContainsKey(k));
    }
}

/// <summary>Hand-offs of one path and their detection lags (the newest <see cref="MaxSamples"/> kept for the percentiles).</summary>
public sealed class LagFigures
{
    public const int MaxSamples = 2_000;

    public int Count { get; set; }

    public long MaxMs { get; set; }

    /// <summary>The newest lags, oldest first.</summary>
    public List<long> SamplesMs { get; set; } = [];

    public void Add(TimeSpan? lag)
    {
        Count++;
        if (lag is not { } value)
        {
            return;
        }

        var ms = Math.Max(0, (long)value.TotalMilliseconds);
        MaxMs = Math.Max(MaxMs, ms);
        SamplesMs.Add(ms);
        if (SamplesMs.Count > MaxSamples)
        {
            SamplesMs.RemoveRange(0, SamplesMs.Count - MaxSamples);
        }
    }

    public PathSummary Summary()
    {
        var sorted = SamplesMs.Order().ToList();
        return new PathSummary(Count, Percentile(sorted, 0.50), Percentile(sorted, 0.95), MaxMs);
    }

    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    private static long Percentile(List<long> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>One path's hand-offs and their detection lag (BigQuery's end time → the hand-off), in milliseconds.</summary>
public sealed record PathSummary(int Count, long LagP50Ms, long LagP95Ms, long LagMaxMs);

/// <summary>What the ledger tells the status document.</summary>
public sealed record CompletionReport(PathSummary Poll, PathSummary Event, EventCounts Events);

/// <summary>An event saw job <see cref="Key"/> DONE at <see cref="Now"/>.</summary>
/// <param name="Retry">True when this dispatcher looks at its own event again (the trace was too young): not a duplicate.</param>
public sealed record EventSighting(string Key, DateTimeOffset? Ended, DateTimeOffset Now, bool Retry = false);

/// <summary>What the event path's work on job <see cref="Key"/> came to, at <see cref="At"/>.</summary>
public sealed record EventSettlement(string Key, EventResult Result, DateTimeOffset? Ended, DateTimeOffset At);

/// <summary>A job the sweep found DONE, or handed off.</summary>
/// <param name="At">When it was handed off (for <see cref="SweepRequest.HandedOff"/>); the sighting's time otherwise.</param>
public sealed record SweptJob(string Key, DateTimeOffset? Ended, DateTimeOffset At);

/// <summary>One cycle's sweep: the DONE jobs it found now, and the hand-offs of its previous round.</summary>
public sealed record SweepRequest(DateTimeOffset Now, IReadOnlyList<SweptJob> Done, IReadOnlyList<SweptJob> HandedOff);

/// <summary>The DONE jobs the cycle leaves to the events at work on them, and the ledger's figures.</summary>
public sealed record SweepAnswer(IReadOnlyList<string> LeaveToEvents, CompletionReport Report);

