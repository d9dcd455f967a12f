using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// The held work per lane after a cycle: JournalURL/queue.json, served as GET /queue (self-hosted) and GET /api/queue
/// (Azure). Bounded: at most <see cref="MaxListed"/> entries per lane, the next to be admitted first, and the count.
/// </summary>
public sealed class QueueDocument
{
    public const int MaxListed = 100;

    /// <summary>When the cycle that found this queue started.</summary>
    public DateTime Updated { get; set; }

    public Dictionary<string, QueuedLane> Lanes { get; set; } = [];

    /// <summary>Every lane's queue from a cycle's held work (in admission order), each lane listed even when empty.</summary>
    public static QueueDocument From(IReadOnlyList<QueuedWork> held, LaneBook lanes, DateTimeOffset now)
    {
        var document = new QueueDocument { Updated = now.UtcDateTime };
        foreach (var lane in lanes.ByPriority)
        {
            document.Lanes[lane.Name] = new QueuedLane { Priority = lane.Priority };
        }

        foreach (var work in held)
        {
            var lane = document.Lanes[lanes[work.Lane].Name];
            lane.Queued++;
            if (lane.Work.Count < MaxListed)
            {
                lane.Work.Add(work);
            }
        }

        return document;
    }

    /// <summary>The same held work, held for the same reasons, as <paramref name="other"/> (whatever the time).</summary>
    public bool SameQueue(QueueDocument other) => StatusJson.Serialize(Lanes) == StatusJson.Serialize(other.Lanes);
}

/// <summary>One lane's queue.</summary>
public sealed class QueuedLane
{
    public long Priority { get; set; }

    /// <summary>Held work in the lane (all of it; <see cref="Work"/> lists the first ones).</summary>
    public int Queued { get; set; }

    public List<QueuedWork> Work { get; set; } = [];
}

/// <summary>A held trace or window: what it is, how long it has waited, and the limit that holds it.</summary>
/// <param name="Kind">The kind of job it asks a slot for: query or load (a window's batch is a load).</param>
/// <param name="WaitingSince">Its job's end (a trace), its due time (a window).</param>
public sealed record QueuedWork(
    string URL, string Project, string Lane, string Kind, long Priority, DateTime WaitingSince, HeldBy HeldBy);
