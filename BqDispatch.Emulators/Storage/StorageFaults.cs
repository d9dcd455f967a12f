namespace BqDispatch.Emulators.Storage;

/// <summary>What an injected fault does to one request.</summary>
internal enum FaultKind
{
    /// <summary>Answer with an error status and body instead of handling the request.</summary>
    Fail,

    /// <summary>Abort the connection without handling the request.</summary>
    Drop,

    /// <summary>Handle the request (apply its change), then abort the connection instead of answering.</summary>
    DropAfterCommit,
}

internal sealed record StorageFault(FaultKind Kind, int Status, byte[] Body);

/// <summary>Per-route FIFO of scripted faults, then per-route seeded rates of errors and of drops after commit.</summary>
internal sealed class StorageFaultPlan
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Queue<Entry>> queues = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Route, FaultKind Kind), Storm> storms = [];

    public void Enqueue(string route, StorageFault fault, int count)
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

    public void SetRate(string route, double rate, int status, int seed)
    {
        var body = StorageJson.Error(status, StorageJson.Reason(status), $"Injected failure: {StorageJson.Reason(status)}");
        SetStorm(route, rate, new StorageFault(FaultKind.Fail, status, body), seed);
    }

    public void SetDropAfterCommitRate(string route, double rate, int seed) =>
        SetStorm(route, rate, new StorageFault(FaultKind.DropAfterCommit, 0, []), seed);

    /// <summary>The fault for this request of <paramref name="route"/>, if any: scripted faults first, then the rates (errors first).</summary>
    public StorageFault? Take(string route)
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

            foreach (var kind in new[] { FaultKind.Fail, FaultKind.DropAfterCommit })
            {
                if (storms.TryGetValue((route, kind), out var storm) && storm.Random.NextDouble() < storm.Rate)
                {
                    return storm.Fault;
                }
            }

            return null;
        }
    }

    private void SetStorm(string route, double rate, StorageFault fault, int seed)
    {
        lock (gate)
        {
            if (rate <= 0)
            {
                storms.Remove((route, fault.Kind));
                return;
            }

            storms[(route, fault.Kind)] = new Storm(rate, fault, new Random(seed));
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

    private sealed class Entry(StorageFault fault, int remaining)
    {
        public StorageFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }

    private sealed record Storm(double Rate, StorageFault Fault, Random Random);
}

/// <summary>Requests answered so far, and per-route counters.</summary>
internal sealed class StorageRequestLog
{
    private readonly Lock gate = new();
    private readonly List<StorageEmulatorRequest> requests = [];
    private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);

    public IReadOnlyList<StorageEmulatorRequest> Snapshot()
    {
        lock (gate)
        {
            return [.. requests];
        }
    }

    public int Calls(string route)
    {
        lock (gate)
        {
            return counts.GetValueOrDefault(route);
        }
    }

    public void Count(string route)
    {
        lock (gate)
        {
            counts[route] = counts.GetValueOrDefault(route) + 1;
        }
    }

    public void Add(StorageEmulatorRequest request)
    {
        lock (gate)
        {
            requests.Add(request);
        }
    }

    public void Reset()
    {
        lock (gate)
        {
            requests.Clear();
            counts.Clear();
        }
    }
}
