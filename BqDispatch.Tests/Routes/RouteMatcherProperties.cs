using BqDispatch.Core.Routes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace BqDispatch.Tests.Routes;

/// <summary>The matcher over random rules and jobs: it never throws, and the rule it picks is the first that matches.</summary>
public sealed class RouteMatcherProperties
{
    private static readonly string[] Types = ["QUERY", "LOAD", "COPY", "EXTRACT", "", "query", "Load"];

    // Patterns include anchored, unanchored, empty and catastrophic ones (bounded by the match timeout).
    private static readonly string?[] Patterns = [null, null, ".+", "t1", "^p:d\\.t1$", "d\\.t[0-9]", "", "(a+)+$", "SELECT", "gs://.*"];

    private static readonly Gen<RouteFilter> Filters =
        from type in Gen.Elements<string?>([null, .. Types])
        from source in Gen.Elements(Patterns)
        from dest in Gen.Elements(Patterns)
        select new RouteFilter(type, source is null ? null : RouteFilter.Pattern(source), dest is null ? null : RouteFilter.Pattern(dest));

    private static readonly Gen<FinishedJob> Jobs =
        from type in Gen.Elements(Types)
        from table in Gen.Elements("t1", "t2", "t10", "x")
        from source in Gen.Elements("", "SELECT * FROM t1", "gs://b/f.json", "p:d.t2", new string('a', 40) + "!")
        select TestJob(type, source, $"p:d.{table}");

    private static readonly Arbitrary<(List<RouteRule> Rules, FinishedJob Job)> Scenarios =
        (from filters in Gen.Choose(0, 6).SelectMany(n => Filters.ListOf(n))
         from job in Jobs
         select (filters.Select((f, i) => new RouteRule($"r{i}", "Rules", f, null, null)).ToList(), job)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Matching_never_throws_and_the_first_matching_rule_wins() =>
        Prop.ForAll(Scenarios, s =>
        {
            var rules = new RouteRules(null!, null, new ParsedRules(s.Rules, []), TimeSpan.Zero);
            var picked = rules.Match(s.Job);
            var first = s.Rules.FindIndex(r => r.When.Matches(s.Job));
            return first < 0 ? picked is null : ReferenceEquals(picked, s.Rules[first]);
        });

    [Property(MaxTest = 300)]
    public Property A_filter_without_source_and_dest_never_matches() =>
        Prop.ForAll(Jobs.ToArbitrary(), Gen.Elements<string?>([null, .. Types]).ToArbitrary(), (job, type) => !new RouteFilter(type, null, null).Matches(job));

    [Fact]
    public void A_runaway_pattern_is_no_match_rather_than_a_failure()
    {
        var filter = new RouteFilter(null, RouteFilter.Pattern("^(a+)+$"), null);
        Assert.False(filter.Matches(TestJob("QUERY", new string('a', 5000) + "!", "p:d.t")));
    }

    private static FinishedJob TestJob(string type, string source, string dest) =>
        new("p", "j", "US", type.ToUpperInvariant(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, source, dest, null, default);

}
