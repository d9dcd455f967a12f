using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Naming;

public class TraceNameTests
{
    [Fact]
    public void A_project_folder_trace_gives_folder_job_id_and_decoded_info()
    {
        const string name = "proj:xx:US/xx:test.dummy--1179878484004789046_00001_load--dispatch";

        Assert.True(TraceName.TryParse(name, out var trace));

        Assert.Equal(
            new TraceName(
                name,
                "xx",
                "US",
                "xx_test_dummy--1179878484004789046_00001_load--dispatch",
                new JobInfo("xx_test_dummy", "1179878484004789046", 1, "load", "dispatch")),
            trace);
    }

    [Fact]
    public void A_root_trace_has_no_folder()
    {
        Assert.True(TraceName.TryParse("ds.t--9_00002_copy--dispatch", out var trace));

        Assert.Null(trace!.FolderProject);
        Assert.Null(trace.FolderRegion);
        Assert.Equal("ds_t--9_00002_copy--dispatch", trace.JobId);
        Assert.Equal(new JobInfo("ds_t", "9", 2, "copy", "dispatch"), trace.Info);
    }

    [Fact]
    public void A_legacy_json_trace_drops_the_extension_from_the_job_id()
    {
        Assert.True(TraceName.TryParse("proj:p:EU/ds.t--9_00002_copy--dispatch.json", out var trace));

        Assert.Equal("ds_t--9_00002_copy--dispatch", trace!.JobId);
    }

    [Fact]
    public void A_domain_scoped_project_folder_keeps_its_project()
    {
        Assert.True(TraceName.TryParse("proj:example.com:p:US/ds.t--1_00001_load--dispatch", out var trace));

        Assert.Equal("example.com:p", trace!.FolderProject);
        Assert.Equal("US", trace.FolderRegion);
    }

    [Fact]
    public void Json_inside_a_name_is_kept_only_the_suffix_goes()
    {
        // bqtail removed the first ".json" anywhere, disagreeing with the id tail submitted (ds_json_t--…).
        Assert.True(TraceName.TryParse("ds.json.t--1_00001_load--dispatch.json", out var trace));

        Assert.Equal("ds_json_t--1_00001_load--dispatch", trace!.JobId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ds.t.grp")]
    [InlineData("ds.t_1700000000.grp")]
    [InlineData("ds.t_987_1700000000.win")]
    [InlineData("ds.t_987_1700000000.wis")]
    [InlineData("ds.t--9_00002_copy--tail")]
    [InlineData("ds.t--9_00002_copy--dispatch.json.bak")]
    [InlineData("performance.json")]
    [InlineData("proj:p:US/")]
    [InlineData("proj:p:US/ds.t_1.grp")]
    [InlineData("proj::US/ds.t--9_00002_copy--dispatch")]
    [InlineData("other/ds.t--9_00002_copy--dispatch")]
    [InlineData("proj:p:US/deeper/ds.t--9_00002_copy--dispatch")]
    [InlineData("ds.t_987_1700000000/abc.loc")]
    [InlineData("/ds.t--9_00002_copy--dispatch")]
    public void Other_objects_are_not_traces(string name)
    {
        Assert.False(TraceName.TryParse(name, out var trace));
        Assert.Null(trace);
    }

    [Theory]
    [InlineData("ds t--9_00002_copy--dispatch")]
    [InlineData("ds@t--9_00002_copy--dispatch")]
    [InlineData("dś.t--9_00002_copy--dispatch")]
    public void Names_whose_job_id_BigQuery_rejects_are_not_traces(string name)
    {
        Assert.False(TraceName.TryParse(name, out _));
    }

    [Fact]
    public void A_null_name_is_not_a_trace()
    {
        Assert.False(TraceName.TryParse(null, out _));
    }
}
