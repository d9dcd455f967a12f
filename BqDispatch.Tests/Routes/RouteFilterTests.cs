using System.Text.Json;
using System.Text.Json.Nodes;
using BqDispatch.Core.Routes;
using Xunit;

namespace BqDispatch.Tests.Routes;

/// <summary>The 7 cases of bqtail's dispatch/config/filter_test.go (reference §8.1), through job resources as BigQuery sends them.</summary>
public sealed class RouteFilterTests
{
    public static TheoryData<string, string?, string?, string?, bool> Cases => new()
    {
        { Copy("myProject", "myDataset", "sourceTable"), null, ".+:myDataset\\..+", null, true },
        { Load("myProject", "myDataset", "myDestTable1"), null, null, ".+myDestTable2", false },
        { Extract("gs://myBucket/table10"), "EXTRACT", null, ".+table10", true },
        { Extract("gs://myBucket/table10"), "EXTRACT", null, ".+table2", false },
        { Query("SELECT  FROM tableX WHERE 1 = 0", null), "QUERY", ".+tableX", null, true },
        { Query("SELECT  FROM tableY WHERE 1 = 0", null), "QUERY", ".+tableX.*", null, false },
        { Query("SELECT 1", "myProject:myDataset.myDestTable"), "QUERY", null, ".+myDataset\\.myDestTable", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_as_bqtail_2019_did(string job, string? type, string? source, string? dest, bool expected)
    {
        var filter = new RouteFilter(type, source is null ? null : RouteFilter.Pattern(source), dest is null ? null : RouteFilter.Pattern(dest));
        Assert.Equal(expected, filter.Matches(Finished(job)));
    }

    [Fact]
    public void A_type_only_filter_never_matches_and_type_ignores_case()
    {
        var query = Finished(Query("SELECT 1", "p:d.t"));
        Assert.False(new RouteFilter("QUERY", null, null).Matches(query));
        Assert.True(new RouteFilter("query", null, RouteFilter.Pattern("d\\.t")).Matches(query));
        Assert.False(new RouteFilter("LOAD", null, RouteFilter.Pattern("d\\.t")).Matches(query));
    }

    [Fact]
    public void A_load_source_is_its_uris_comma_joined_and_a_query_source_has_no_newlines()
    {
        var load = Finished(Resource("LOAD", new JsonObject { ["sourceUris"] = new JsonArray("gs://b/a.json", "gs://b/b.json"), ["destinationTable"] = Table("p:d.t") }));
        Assert.Equal("gs://b/a.json,gs://b/b.json", load.Source);
        Assert.Equal("SELECT a FROM t", Finished(Query("SELECT a\nFROM t", null)).Source);
    }

    internal static FinishedJob Finished(string json) => FinishedJob.From(JsonDocument.Parse(json).RootElement.Clone())
        ?? throw new InvalidOperationException("not a DONE job: " + json);

    internal static string Query(string sql, string? destination)
    {
        var detail = new JsonObject { ["query"] = sql };
        if (destination is not null)
        {
            detail["destinationTable"] = Table(destination);
        }

        return Resource("QUERY", detail);
    }

    internal static string Load(string project, string dataset, string table) =>
        Resource("LOAD", new JsonObject { ["destinationTable"] = Table($"{project}:{dataset}.{table}") });

    internal static string Copy(string project, string dataset, string table) =>
        Resource("COPY", new JsonObject { ["sourceTable"] = Table($"{project}:{dataset}.{table}"), ["destinationTable"] = Table("p:d.copy") });

    internal static string Extract(string uri) =>
        Resource("EXTRACT", new JsonObject { ["sourceTable"] = Table("p:d.t"), ["destinationUri"] = uri });

    internal static string Resource(string type, JsonObject detail)
    {
        var job = new JsonObject
        {
            ["jobReference"] = new JsonObject { ["projectId"] = "p", ["jobId"] = "job_1", ["location"] = "US" },
            ["status"] = new JsonObject { ["state"] = "DONE" },
            ["configuration"] = new JsonObject { ["jobType"] = type, [type == "EXTRACT" ? "extract" : type.ToLowerInvariant()] = detail },
            ["statistics"] = new JsonObject { ["creationTime"] = "1700000000000", ["endTime"] = "1700000005000" },
        };
        return job.ToJsonString();
    }

    private static JsonObject Table(string table)
    {
        var colon = table.IndexOf(':', StringComparison.Ordinal);
        var dot = table.IndexOf('.', colon);
        return new JsonObject { ["projectId"] = table[..colon], ["datasetId"] = table[(colon + 1)..dot], ["tableId"] = table[(dot + 1)..] };
    }
}
