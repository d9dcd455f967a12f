namespace BqDispatch.Emulators.BigQuery;

/// <summary>Requests answered so far, and per-route counters.</summary>
internal sealed class RequestLog
{
    private readonly Lock gate = new();
    private readonly List<EmulatorRequest> requests = [];
    private int listCalls;
    private int getCalls;

    public int ListCalls => Volatile.Read(ref listCalls);

    public int GetCalls => Volatile.Read(ref getCalls);

    public IReadOnlyList<EmulatorRequest> Snapshot()
    {
        lock (gate)
        {
            return [.. requests];
        }
    }

    public void Count(string route)
    {
        if (route == EmulatorRoutes.List)
        {
            Interlocked.Increment(ref listCalls);
        }
        else if (route == EmulatorRoutes.Get)
        {
            Interlocked.Increment(ref getCalls);
        }
    }

    public void Add(EmulatorRequest request)
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
            Interlocked.Exchange(ref listCalls, 0);
            Interlocked.Exchange(ref getCalls, 0);
        }
    }
}
