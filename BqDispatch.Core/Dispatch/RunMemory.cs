namespace BqDispatch.Core.Dispatch;

/// <summary>
/// What the flow remembers from cycle to cycle (and, through <see cref="RunCarryOver"/>, from run to run): the traces
/// it handed off, the work whose hand-off failed, the admissions waiting for evidence, when the last cycle started and
/// when another dispatcher was last seen. Deterministic: it only sees what the flow hands it.
/// </summary>
public sealed class RunMemory
{
    /// <summary>How long a handed-off trace is carried to the next run: far longer than any listing lags behind.</summary>
    public static readonly TimeSpan FinishedCarried = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, DateTimeOffset> finished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AwaitedFollowUp> awaited = new(StringComparer.Ordinal);
    private readonly HashSet<string> uncertain = new(StringComparer.Ordinal);

    private RunMemory(DateTimeOffset? lastCycleStarted, DateTimeOffset? lastContention)
    {
        LastCycleStarted = lastCycleStarted;
        LastContention = lastContention;
    }

    public DateTimeOffset? LastCycleStarted { get; private set; }

    public DateTimeOffset? LastContention { get; private set; }

    /// <summary>The memory a run starts with; a carried trace counts as finished when the run starts.</summary>
    public static RunMemory From(RunCarryOver carried, DateTimeOffset now)
    {
        var memory = new RunMemory(carried.LastCycleStarted, carried.LastContention);
        foreach (var key in carried.Finished)
        {
            memory.finished[key] = now;
        }

        foreach (var follow in carried.Awaited)
        {
            memory.awaited[follow.Key] = follow;
        }

        memory.uncertain.UnionWith(carried.Uncertain);

        return memory;
    }

    /// <summary>Starts a cycle; returns when the previous one started (null when none is known).</summary>
    public DateTimeOffset? StartCycle(DateTimeOffset now)
    {
        var previous = LastCycleStarted;
        LastCycleStarted = now;
        return previous;
    }

    public bool IsFinished(TraceWork trace) => finished.ContainsKey(Key(trace));

    /// <summary>
    /// Records a hand-off's end: a failed one may have landed its copy unseen, so it looks first when tried again; one
    /// found done or gone shows another dispatcher at work.
    /// </summary>
    public void Record(TraceWork trace, HandOffStatus status, DateTimeOffset now)
    {
        if (status == HandOffStatus.Failed)
        {
            uncertain.Add(Key(trace));
            return;
        }

        uncertain.Remove(Key(trace));
        finished[Key(trace)] = now;
        if (LookFirstRules.ShowsContention(status))
        {
            LastContention = now;
        }
    }

    /// <summary>Records a firing's end, as <see cref="Record(TraceWork, HandOffStatus, DateTimeOffset)"/> does.</summary>
    public void Record(WindowWork window, WindowStatus status, DateTimeOffset now)
    {
        if (status == WindowStatus.Failed)
        {
            uncertain.Add(Key(window));
            return;
        }

        uncertain.Remove(Key(window));
        if (LookFirstRules.ShowsContention(status))
        {
            LastContention = now;
        }
    }

    /// <summary>Marks the work that looks first (see <see cref="LookFirstRules"/>) for a cycle at <paramref name="now"/>.</summary>
    public TraceWork Mark(TraceWork trace, DateTimeOffset? previousCycleStarted, DateTimeOffset now) =>
        trace with { LookFirst = LooksFirst(Key(trace), LookFirstRules.DueAt(trace), previousCycleStarted, now) };

    public WindowWork Mark(WindowWork window, DateTimeOffset? previousCycleStarted, DateTimeOffset now) =>
        window with { LookFirst = LooksFirst(Key(window), LookFirstRules.DueAt(window), previousCycleStarted, now) };

    /// <summary>Follow-ups still without evidence; those older than the reservation TTL are forgotten (their reservations expired).</summary>
    public IReadOnlyList<AwaitedFollowUp> Awaited(DateTimeOffset now, TimeSpan reservationTtl)
    {
        foreach (var stale in awaited.Values.Where(a => a.Since + reservationTtl <= now).ToList())
        {
            awaited.Remove(stale.Key);
        }

        return [.. awaited.Values];
    }

    public void Await(AwaitedFollowUp follow) => awaited[follow.Key] = follow;

    /// <summary>Forgets the follow-ups a scan found evidence for; returns their keys per project, for the lanes.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Settle(IEnumerable<string> keys)
    {
        var settled = new List<AwaitedFollowUp>();
        foreach (var key in keys)
        {
            if (awaited.Remove(key, out var follow))
            {
                settled.Add(follow);
            }
        }

        return settled.GroupBy(a => a.Project, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(a => a.Key).ToList(), StringComparer.Ordinal);
    }

    /// <summary>What the next run of the chain starts from: bounded to the newest entries.</summary>
    public RunCarryOver CarryOver(DateTimeOffset now) => new(
        LastCycleStarted,
        LastContention,
        finished.Where(f => f.Value >= now - FinishedCarried)
            .OrderByDescending(f => f.Value)
            .ThenBy(f => f.Key, StringComparer.Ordinal)
            .Take(RunCarryOver.MaxEntries)
            .Select(f => f.Key)
            .ToList(),
        awaited.Values.OrderByDescending(a => a.Since).ThenBy(a => a.Key, StringComparer.Ordinal).Take(RunCarryOver.MaxEntries).ToList(),
        uncertain.Order(StringComparer.Ordinal).Take(RunCarryOver.MaxEntries).ToList());

    private bool LooksFirst(string key, DateTimeOffset dueAt, DateTimeOffset? previousCycleStarted, DateTimeOffset now) =>
        uncertain.Contains(key)
        || LookFirstRules.IsLate(dueAt, previousCycleStarted)
        || LookFirstRules.IsContended(LastContention, now);

    private static string Key(TraceWork trace) => $"{trace.Url}#{trace.Generation}";

    private static string Key(WindowWork window) => $"{window.Url}#{window.Generation}";
}
