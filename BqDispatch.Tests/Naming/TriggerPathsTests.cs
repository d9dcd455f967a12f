using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Naming;

public class TriggerPathsTests
{
    private static readonly DateTimeOffset Created = new(2020, 4, 4, 22, 17, 5, TimeSpan.Zero);

    [Fact]
    public void A_trace_moves_under_its_decoded_name_in_its_creation_hour()
    {
        // §4.8: tail's original dest table xx:test.dummy arrives decoded as xx_test_dummy.
        Assert.True(TraceName.TryParse("proj:xx:US/xx:test.dummy--1179878484004789046_00001_load--dispatch", out var trace));

        var destination = TriggerPaths.PostJob("gs://xx_bqtail", "/_bqjob_/", Created, trace!.FolderProject!, trace.FolderRegion!, trace.Info);

        Assert.Equal("gs://xx_bqtail/_bqjob_/2020-04-04_22/proj:xx:US/xx_test_dummy--1179878484004789046_00001_load--dispatch.json", destination);
    }

    [Fact]
    public void The_original_info_gives_the_same_destination_as_the_decoded_one()
    {
        var original = new JobInfo("xx:test.dummy", "1179878484004789046", 1, "load", "dispatch");

        var destination = TriggerPaths.PostJob("gs://xx_bqtail", "/_bqjob_/", Created, "xx", "US", original);

        Assert.Equal("gs://xx_bqtail/_bqjob_/2020-04-04_22/proj:xx:US/xx_test_dummy--1179878484004789046_00001_load--dispatch.json", destination);
    }

    [Fact]
    public void T9_a_root_trace_goes_to_the_config_project_with_no_region()
    {
        Assert.True(TraceName.TryParse("ds.t--9_00002_copy--dispatch", out var trace));

        var destination = TriggerPaths.PostJob("gs://trig", "/_bqjob_/", Created, "cfgp", "", trace!.Info);

        Assert.Equal("gs://trig/_bqjob_/2020-04-04_22/proj:cfgp:/ds_t--9_00002_copy--dispatch.json", destination);
    }

    [Fact]
    public void The_hour_is_the_utc_hour_of_creation()
    {
        var created = new DateTimeOffset(2020, 4, 5, 1, 30, 0, TimeSpan.FromHours(3));
        var info = new JobInfo("ds_t", "1", 1, "load", "dispatch");

        var destination = TriggerPaths.PostJob("gs://trig", "/_bqjob_/", created, "p", "US", info);

        Assert.Equal("gs://trig/_bqjob_/2020-04-04_22/proj:p:US/ds_t--1_00001_load--dispatch.json", destination);
    }

    [Theory]
    [InlineData("gs://trig", "/_bqjob_/")]
    [InlineData("gs://trig/", "/_bqjob_/")]
    [InlineData("gs://trig", "_bqjob_")]
    [InlineData("gs://trig/", "_bqjob_/")]
    public void Base_and_prefix_join_with_exactly_one_slash(string baseUrl, string prefix)
    {
        var info = new JobInfo("", "1", 1, "load", "dispatch");

        Assert.Equal(
            "gs://trig/_bqjob_/2020-04-04_22/proj:p:US/1_00001_load--dispatch.json",
            TriggerPaths.PostJob(baseUrl, prefix, Created, "p", "US", info));
    }

    [Theory]
    [InlineData("gs://trig", "/_batch_/")]
    [InlineData("gs://trig/", "_batch_")]
    public void B2_a_window_is_copied_under_the_batch_prefix(string baseUrl, string prefix)
    {
        Assert.Equal("gs://trig/_batch_/ds.t_987_1700000000.win", TriggerPaths.Batch(baseUrl, prefix, "ds.t_987_1700000000.win"));
    }

    [Fact]
    public void The_batch_copy_keeps_tails_window_name()
    {
        Assert.Equal(
            "gs://xx_bqtail/_batch_/xx:test.dummy_1179878484004789046_1586025840.win",
            TriggerPaths.Batch("gs://xx_bqtail", "/_batch_/", "xx:test.dummy_1179878484004789046_1586025840.win"));
    }

    [Theory]
    [InlineData("trig", "gs://trig")]
    [InlineData("trig/", "gs://trig")]
    [InlineData("xx_bqtail", "gs://xx_bqtail")]
    [InlineData("gs://trig", "gs://trig")]
    [InlineData("gs://trig/", "gs://trig")]
    [InlineData("gs://trig/sub/", "gs://trig/sub")]
    [InlineData("file:///tmp/trig/", "file:///tmp/trig")]
    [InlineData("mem://trig", "mem://trig")]
    public void The_trigger_bucket_is_a_name_or_a_url(string triggerBucket, string baseUrl)
    {
        Assert.Equal(baseUrl, TriggerPaths.TriggerBase(triggerBucket));
    }
}
