namespace BqDispatch.Core.Routes;

/// <summary>The counts of one sweep as its decisions come in (from several routes in flight at once).</summary>
internal sealed class RouteTally
{
    public const int MaxErrors = 20;

    private readonly Dictionary<string, RouteCounts> byRule = new(StringComparer.Ordinal);
    private readonly List<string> errors = [];
    private int errorTotal;

    public int Unmatched { get; private set; }

    public int ListCalls { get; private set; }

    public int ListPages { get; private set; }

    public int GetCalls { get; private set; }

    public void Add(string rule, RouteCounts counts)
    {
        lock (byRule)
        {
            byRule[rule] = byRule.TryGetValue(rule, out var known) ? known.Plus(counts) : counts;
        }
    }

    public void NoMatch()
    {
        lock (byRule)
        {
            Unmatched++;
        }
    }

    public void Calls(int lists, int pages, int gets)
    {
        lock (byRule)
        {
            ListCalls += lists;
            ListPages += pages;
            GetCalls += gets;
        }
    }

    public void Error(string message)
    {
        lock (byRule)
        {
            errorTotal++;
            if (errors.Count < MaxErrors - 1 && !errors.Contains(message))
            {
                errors.Add(message);
            }
        }
    }

    public RouteOutcome Outcome(int waiting, int recordsRemoved)
    {
        lock (byRule)
        {
            List<string> reported = errorTotal > errors.Count ? [.. errors, $"… and {errorTotal - errors.Count} more route problems"] : [.. errors];
            return new RouteOutcome(new Dictionary<string, RouteCounts>(byRule, StringComparer.Ordinal), reported, Unmatched, waiting, ListCalls, ListPages, GetCalls, recordsRemoved);
        }
    }
}
