using BqDispatch.Core.Naming;

namespace BqDispatch.Core.Throttling;

/// <summary>
/// The lanes of a configuration by name: the configured ones in order, and <c>main</c> (configured or the default).
/// A name it does not know (work assigned under a configuration since changed) falls to main.
/// </summary>
public sealed class LaneBook
{
    private readonly Dictionary<string, Lane> byName = new(StringComparer.Ordinal);

    public LaneBook(IReadOnlyList<Lane>? configured)
    {
        configured ??= [];
        Main = configured.FirstOrDefault(l => l.Name == Lane.MainName) ?? Lane.Main;
        Matching = configured.Where(l => l.Name != Lane.MainName).ToList();
        All = [.. Matching, Main];
        foreach (var lane in All)
        {
            byName[lane.Name] = lane;
        }
    }

    public Lane Main { get; }

    /// <summary>The lanes that take work by their <see cref="Lane.When"/>, in configuration order (first match wins).</summary>
    public IReadOnlyList<Lane> Matching { get; }

    /// <summary>Every lane, main last.</summary>
    public IReadOnlyList<Lane> All { get; }

    /// <summary>Every lane, lowest priority number first (the order work is admitted in), then by name: how reports list them.</summary>
    public IEnumerable<Lane> ByPriority => All.OrderBy(l => l.Priority).ThenBy(l => l.Name, StringComparer.Ordinal);

    public Lane this[string name] => byName.GetValueOrDefault(name) ?? Main;

    /// <summary>
    /// True when work of <paramref name="kind"/> in <paramref name="lane"/> needs a limited slot (the project's limit or
    /// its lane's applies), so admitting it reserves one.
    /// </summary>
    public bool Limited(ThrottleLimits project, JobKind kind, string lane) => project.For(kind) > 0 || this[lane].Limits.For(kind) > 0;

    /// <summary>True when no lane and no project limit can hold back work of any kind.</summary>
    public bool Unlimited(ThrottleLimits project) => !project.Any && All.All(l => !l.Limits.Any);
}
