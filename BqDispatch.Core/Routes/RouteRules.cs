using System.Text;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Routes;

/// <summary>
/// The route rules in force: the inline <c>Rules</c> first, then every <c>.json</c> file of <c>RulesURL</c> in file-name
/// order, each file's rules in array order. The folder is read again every <c>CheckInMs</c> (a file only when its
/// generation changed): a file that cannot be used is reported until it is fixed, and its last good version stays in
/// force, as do all other rules.
/// </summary>
public sealed class RouteRules(IObjectStore store, string? rulesUrl, ParsedRules inline, TimeSpan reloadEvery)
{
    private readonly SortedDictionary<string, RuleFile> files = new(StringComparer.Ordinal);
    private DateTimeOffset? loaded;
    private string? listingError;

    /// <summary>The rules in force, in the order they are tried.</summary>
    public IReadOnlyList<RouteRule> Current { get; private set; } = inline.Rules;

    /// <summary>Changes whenever the rules in force may have changed (a file added, changed or removed).</summary>
    public int Version { get; private set; }

    /// <summary>Why some rules are not in force as written (each names the file and the rule), and a failed reload.</summary>
    public IReadOnlyList<string> Errors =>
        [.. inline.Errors, .. files.Values.SelectMany(f => f.Errors), .. listingError is null ? [] : new[] { listingError }];

    /// <summary>Whether any rule could ever be in force: inline rules or a rules folder.</summary>
    public bool Configured => inline.Rules.Count > 0 || !string.IsNullOrEmpty(rulesUrl);

    /// <summary>The first rule whose filter matches the job, or null.</summary>
    public RouteRule? Match(FinishedJob job) => Current.FirstOrDefault(rule => rule.When.Matches(job));

    /// <summary>Reads the rules folder again when <paramref name="now"/> is CheckInMs past the last read (or at the first call).</summary>
    public async Task Refresh(DateTimeOffset now, CancellationToken cancellation)
    {
        if (string.IsNullOrEmpty(rulesUrl) || (loaded is { } last && now - last < reloadEvery))
        {
            return;
        }

        loaded = now;
        try
        {
            var listing = await store.List(rulesUrl, cancellation);
            var present = listing.Objects.Where(o => o.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToList();
            foreach (var gone in files.Keys.Except(present.Select(o => o.Name)).ToList())
            {
                files.Remove(gone);
                Version++;
            }

            foreach (var file in present)
            {
                if (!files.TryGetValue(file.Name, out var known) || known.Generation != file.Generation)
                {
                    files[file.Name] = await Read(file, known, cancellation);
                    Version++;
                }
            }

            listingError = null;
        }
        catch (StorageException e)
        {
            listingError = $"rules {rulesUrl}: cannot be read, the rules read before stay in force: {e.Message}";
        }

        Current = [.. inline.Rules, .. files.Values.SelectMany(f => f.Rules)];
    }

    private async Task<RuleFile> Read(StoredObject file, RuleFile? known, CancellationToken cancellation)
    {
        ParsedRules parsed;
        try
        {
            parsed = RuleParser.Parse(Encoding.UTF8.GetString(await store.Read(file.Url, cancellation)), file.Url, file.Name);
        }
        catch (StorageException e) when (e.Status == 404)
        {
            // Removed between the listing and the read: the next reload drops it.
            return known ?? new RuleFile(file.Generation, [], []);
        }

        return parsed.Usable
            ? new RuleFile(file.Generation, parsed.Rules, [])
            : new RuleFile(file.Generation, known?.Rules ?? [], [.. parsed.Errors.Select(e => known is null ? e : e + " (its last good version stays in force)")]);
    }

    private sealed record RuleFile(long Generation, IReadOnlyList<RouteRule> Rules, IReadOnlyList<string> Errors);
}
