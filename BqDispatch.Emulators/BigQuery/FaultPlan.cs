namespace BqDispatch.Emulators.BigQuery;

/// <summary>A scripted misbehaviour for the next request(s) of one route.</summary>
internal sealed record Fault(int Status, string ContentType, byte[] Body, bool Drop);

/// <summary>Per-route FIFO of injected faults; each entry answers a number of requests and then expires.</summary>
internal sealed class FaultPlan
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Queue<Entry>> queues = new(StringComparer.Ordinal);

    public void Enqueue(string route, Fault fault, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (gate)
        {
            if (!queues.TryGetValue(route, out var queue))
            {
                queue = new Queue<Entry>();
                queues.Add(route, queue);
            }

            queue.Enqueue(new Entry(fault, count));
        }
    }

    /// <summary>The fault for this request of <paramref name="route"/>, if one is scheduled.</summary>
    public Fault? Take(string route)
    {
        lock (gate)
        {
            if (!queues.TryGetValue(route, out var queue) || !queue.TryPeek(out var entry))
            {
                return null;
            }

            if (--entry.Remaining == 0)
            {
                queue.Dequeue();
            }

            return entry.Fault;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            queues.Clear();
        }
    }

    private sealed class Entry(Fault fault, int remaining)
    {
        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
