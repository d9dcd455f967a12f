using BqDispatch.Core.Groups;
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

    /// <summary>Open groups: all of them (<see cref="GroupsWaiting"/>) and the first <see cref="GroupScan.MaxListed"/>, soonest deadline first.</summary>
    public int GroupsWaiting { get; set; }

    public List<QueuedGroup> Groups { get; set; } = [];

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

    /// <summary>This queue with the groups <paramref name="scan"/> found waiting.</summary>
    public QueueDocument WithGroups(GroupScan scan)
    {
        GroupsWaiting = scan.WaitingTotal;
        Groups = [.. scan.Waiting.Select(v => new QueuedGroup(v.Name, v.Members, v.Done, v.Failed, v.Members - v.Done, v.Open, v.Created.UtcDateTime, v.Deadline.UtcDateTime))];
        return this;
    }

    /// <summary>The same held work, held for the same reasons, and the same open groups as <paramref name="other"/> (whatever the time).</summary>
    public bool SameQueue(QueueDocument other) =>
        StatusJson.Serialize(Lanes) == StatusJson.Serialize(other.Lanes) && StatusJson.Serialize(Groups) == StatusJson.Serialize(other.Groups);
}

/// <summary>An open group in the queue: its members, how many are DONE (and failed) and missing, and its deadline.</summary>
public sealed record QueuedGroup(string Name, int Members, int Done, int Failed, int Missing, bool Open, DateTime Created, DateTime Deadline);

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
