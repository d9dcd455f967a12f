namespace BqDispatch.Emulators.BigQuery;

/// <summary>A scripted misbehaviour for the next request(s) of one route.</summary>
internal sealed record Fault(int Status, string ContentType, byte[] Body, bool Drop);

/// <summary>
/// Per-route FIFO of injected faults (each entry answers a number of requests and then expires), then per-route seeded
/// rates: a share of requests answered with an error, a share dropped.
/// </summary>
internal sealed class FaultPlan
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Queue<Entry>> queues = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Route, bool Drop), Storm> storms = [];

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

    /// <summary>Answers a random share <paramref name="rate"/> of the route's requests with <paramref name="fault"/>; 0 ends it.</summary>
    public void SetRate(string route, double rate, Fault fault, int seed)
    {
        lock (gate)
        {
            if (rate <= 0)
            {
                storms.Remove((route, fault.Drop));
                return;
            }

            storms[(route, fault.Drop)] = new Storm(rate, fault, new Random(seed));
        }
    }

    /// <summary>The fault for this request of <paramref name="route"/>, if one is scheduled: scripted first, then the rates.</summary>
    public Fault? Take(string route)
    {
        lock (gate)
        {
            if (queues.TryGetValue(route, out var queue) && queue.TryPeek(out var entry))
            {
                if (--entry.Remaining == 0)
                {
                    queue.Dequeue();
                }

                return entry.Fault;
            }

            foreach (var drop in new[] { false, true })
            {
                if (storms.TryGetValue((route, drop), out var storm) && storm.Random.NextDouble() < storm.Rate)
                {
                    return storm.Fault;
                }
            }

            return null;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            queues.Clear();
            storms.Clear();
        }
    }

    private sealed record Storm(double Rate, Fault Fault, Random Random);

    private sealed class Entry(Fault fault, int remaining)
    {
        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
