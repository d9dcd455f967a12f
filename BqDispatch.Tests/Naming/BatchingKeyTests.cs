using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Naming;

public class BatchingKeyTests
{
    // B10, and the §4.4 extractBatchDestProject examples.
    [Theory]
    [InlineData("gs://disp/BqDispatch/Tasks/p1:ds.t_1_1700000000.win", "p1/batching")]
    [InlineData("gs://disp/BqDispatch/Tasks/ds.t_987_1700000000.win", "ds/batching")]
    [InlineData("gs://disp/queue/ds.t_987_1700000000.win", "cfgp/batching")]
    [InlineData("gs://xx_bqdispatch/BqDispatch/Tasks/xx:test.dummy_1179878484004789046_1586025840.win", "xx/batching")]
    [InlineData("gs://xx_bqdispatch/BqDispatch/Tasks/bqtail.dummy_1_1586025840.win", "bqtail/batching")]
    [InlineData("gs://disp/Tasks/:ds.t_1_2.win", "cfgp/batching")] // bqtail does not fall back to the '.' here
    [InlineData("gs://disp/Tasks/ds.t:x_1_2.win", "ds.t/batching")]
    [InlineData("gs://disp/Tasks/nodots_1_2", "cfgp/batching")]
    [InlineData("gs://disp/Tasks/.t_1_2.win", "cfgp/batching")]
    public void Windows_are_reported_under_bqtails_batching_key(string windowUrl, string key)
    {
        Assert.Equal(key, BatchingKey.For(windowUrl, "cfgp"));
    }

    [Theory]
    [InlineData("p1:ds.t_1_1700000000.win", "p1")]
    [InlineData("example.com:p:ds.t_1_1700000000.win", "example.com")]
    [InlineData("ds.t_987_1700000000.win", "cfgp")]
    [InlineData(":ds.t_1_2.win", "cfgp")]
    public void A_windows_load_runs_in_the_project_its_name_starts_with(string name, string project)
    {
        Assert.Equal(project, BatchingKey.WindowProject(name, "cfgp"));
    }
}
