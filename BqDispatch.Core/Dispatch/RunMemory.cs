namespace BqDispatch.Core.Dispatch;

/// <summary>
/// What the flow remembers from cycle to cycle (and, through <see cref="RunCarryOver"/>, from run to run): the traces
/// it handed off, the work whose hand-off or firing failed, and the admissions waiting for evidence. Deterministic: it
/// only sees what the flow hands it.
/// </summary>
public sealed class RunMemory
{
    /// <summary>How long a handed-off trace is carried to the next run: far longer than any listing lags behind.</summary>
    public static readonly TimeSpan FinishedCarried = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, DateTimeOffset> finished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AwaitedFollowUp> awaited = new(StringComparer.Ordinal);
    private readonly HashSet<string> uncertain = new(StringComparer.Ordinal);

    /// <summary>The memory a run starts with; a carried trace counts as finished when the run starts.</summary>
    public static RunMemory From(RunCarryOver carried, DateTimeOffset now)
    {
        var memory = new RunMemory();
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

    public bool IsFinished(TraceWork trace) => finished.ContainsKey(Key(trace));

    /// <summary>
    /// Work another dispatcher claimed within the lease is left to it; work whose own earlier attempt failed is not (its
    /// claim may be this dispatcher's own).
    /// </summary>
    public bool IsHeldElsewhere(TraceWork trace, DateTimeOffset now) =>
        !uncertain.Contains(Key(trace)) && HandOffClaims.IsHeldElsewhere(trace.Metageneration, trace.Updated, now);

    public bool IsHeldElsewhere(WindowWork window, DateTimeOffset now) =>
        !uncertain.Contains(Key(window)) && HandOffClaims.IsHeldElsewhere(window.Metageneration, window.Updated, now);

    /// <summary>Work whose earlier attempt failed may have landed its copy unseen: it takes over and looks first.</summary>
    public TraceWork Mark(TraceWork trace) => trace with { LookFirst = uncertain.Contains(Key(trace)) };

    public WindowWork Mark(WindowWork window) => window with { LookFirst = uncertain.Contains(Key(window)) };

    /// <summary>Records a hand-off's end: done (never again), failed (uncertain), or left to another dispatcher.</summary>
    public void Record(TraceWork trace, HandOffStatus status, DateTimeOffset now)
    {
        switch (status)
        {
            case HandOffStatus.Failed:
                uncertain.Add(Key(trace));
                break;
            case HandOffStatus.ClaimedElsewhere:
                uncertain.Remove(Key(trace));
                break;
            default:
                uncertain.Remove(Key(trace));
                finished[Key(trace)] = now;
                break;
        }
    }

    /// <summary>Records a firing's end: a failed one may have left its _batch_ copy behind.</summary>
    public void Record(WindowWork window, WindowStatus status)
    {
        if (status == WindowStatus.Failed)
        {
            uncertain.Add(Key(window));
        }
        else
        {
            uncertain.Remove(Key(window));
        }
    }

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
        finished.Where(f => f.Value >= now - FinishedCarried)
            .OrderByDescending(f => f.Value)
            .ThenBy(f => f.Key, StringComparer.Ordinal)
            .Take(RunCarryOver.MaxEntries)
            .Select(f => f.Key)
            .ToList(),
        awaited.Values.OrderByDescending(a => a.Since).ThenBy(a => a.Key, StringComparer.Ordinal).Take(RunCarryOver.MaxEntries).ToList(),
        uncertain.Order(StringComparer.Ordinal).Take(RunCarryOver.MaxEntries).ToList());

    private static string Key(TraceWork trace) => $"{trace.Url}#{trace.Generation}";

    private static string Key(WindowWork window) => $"{window.Url}#{window.Generation}";
}
