using System.Text.RegularExpressions;

namespace BqDispatch.Core.Throttling;

/// <summary>What lane assignment looks at: the destination table's names, the action, the BigQuery project and location.</summary>
/// <param name="Dests">Names of the destination table in bqtail's decoded spelling; a lane's Dest matches when it matches any.</param>
public sealed record LaneSubject(IReadOnlyList<string> Dests, string Action, string Project, string Region);

/// <summary>Assigns work to lanes: the first configured lane whose When matches, else main.</summary>
public sealed class LaneRules
{
    /// <summary>No lanes configured: everything is main's.</summary>
    public static readonly LaneRules None = new([]);

    private readonly List<(Lane Lane, Regex? Dest, Regex? Action, Regex? Project, Regex? Region)> rules;

    /// <exception cref="ArgumentException">A pattern is not a usable regular expression (the configuration checks this first).</exception>
    public LaneRules(IReadOnlyList<Lane>? configured)
    {
        Book = new LaneBook(configured);
        rules = Book.Matching
            .Select(l => (l, Compile(l.When?.Dest), Compile(l.When?.Action), Compile(l.When?.Project), Compile(l.When?.Region)))
            .ToList();
    }

    public LaneBook Book { get; }

    /// <summary>False when no lane takes work by a When: then all work is main's, whatever it is.</summary>
    public bool AnyMatching => rules.Count > 0;

    /// <summary>The name of the lane <paramref name="subject"/> belongs to.</summary>
    public string Assign(LaneSubject subject)
    {
        foreach (var (lane, dest, action, project, region) in rules)
        {
            if ((dest is null || subject.Dests.Any(dest.IsMatch))
                && (action?.IsMatch(subject.Action) ?? true)
                && (project?.IsMatch(subject.Project) ?? true)
                && (region?.IsMatch(subject.Region) ?? true))
            {
                return lane.Name;
            }
        }

        return Book.Main.Name;
    }

    private static Regex? Compile(string? pattern) => pattern is null ? null : LanePattern.Compile(pattern);
}
