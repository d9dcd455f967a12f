using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Naming;

public class WindowNameTests
{
    [Theory]
    [InlineData("mydata.mytable_40.win", 40)] // dispatch/batch_test.go
    [InlineData("mydata.mytable_30.win", 30)] // tail/config/batch_test.go
    [InlineData("ds.t_987_1700000000.win", 1700000000)]
    [InlineData("xx:test.dummy_1179878484004789046_1586025840.win", 1586025840)]
    [InlineData("xxxx-2015:mydataset.mytable_3529833574555940000_1575579720.win", 1575579720)] // mon/batch_test.go
    [InlineData("yyyyy:logs_us.xxx_20191205_1575580320.win", 1575580320)]
    [InlineData("ds.winners_1_1700000000.win", 1700000000)]
    [InlineData("a_253402300799.win", 253402300799)] // the last second DateTimeOffset can hold
    public void Window_names_give_their_end(string name, long endUnixSeconds)
    {
        Assert.True(WindowName.TryParse(name, out var window));

        Assert.Equal(new WindowName(name, DateTimeOffset.FromUnixTimeSeconds(endUnixSeconds)), window);
        Assert.Equal(TimeSpan.Zero, window!.End.Offset);
    }

    [Fact]
    public void B2_window_ends_at_its_utc_time()
    {
        Assert.True(WindowName.TryParse("ds.t_987_1700000000.win", out var window));

        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero), window!.End);
    }

    [Theory]
    [InlineData("mydata.mytable40.win")] // dispatch/batch_test.go "invalid URL"
    [InlineData("ds.t.win")] // B8
    [InlineData("")]
    [InlineData(".win")]
    [InlineData("_40.win")]
    [InlineData("ds.t_.win")]
    [InlineData("ds.t_40.wis")]
    [InlineData("ds.t_40.win.bak")]
    [InlineData("ds.t_40.WIN")]
    [InlineData("ds.t_4x0.win")]
    [InlineData("ds.t_-40.win")]
    [InlineData("ds.t_1234567890123.win")]
    [InlineData("ds.t_999999999999.win")] // after year 9999
    [InlineData("ds.t_١٢.win")]
    [InlineData("Tasks/ds.t_987_1700000000.win")]
    [InlineData("ds.t_40_.win")]
    public void Other_names_are_not_windows(string name)
    {
        Assert.False(WindowName.TryParse(name, out var window));
        Assert.Null(window);
    }

    [Fact]
    public void A_null_name_is_not_a_window()
    {
        Assert.False(WindowName.TryParse(null, out _));
    }

    [Theory]
    [InlineData("ds.winners_1_1700000000.win", "ds.winners_1_1700000000.wis")] // B11
    [InlineData("gs://disp/BqDispatch/Tasks/ds.winners_1_1700000000.win", "gs://disp/BqDispatch/Tasks/ds.winners_1_1700000000.wis")]
    [InlineData("gs://my.winery/Tasks/ds.t_987_1700000000.win", "gs://my.winery/Tasks/ds.t_987_1700000000.wis")]
    public void The_marker_replaces_only_the_win_suffix(string window, string marker)
    {
        Assert.Equal(marker, WindowName.MarkerName(window));
        Assert.Equal(window, WindowName.WindowOfMarker(marker));
    }

    [Fact]
    public void Names_without_the_expected_suffix_have_no_marker_or_window()
    {
        Assert.Throws<ArgumentException>(() => WindowName.MarkerName("ds.t_1_2.wis"));
        Assert.Throws<ArgumentException>(() => WindowName.WindowOfMarker("ds.t_1_2.win"));
    }
}
