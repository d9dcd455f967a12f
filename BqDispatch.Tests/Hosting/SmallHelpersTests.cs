using BqDispatch.Core.Hosting;
using Xunit;

namespace BqDispatch.Tests.Hosting;

public class SmallHelpersTests
{
    [Theory]
    [InlineData("my-project")]
    [InlineData("example.com:analytics")]
    [InlineData("p_1")]
    public void A_bigquery_project_id_is_its_own_lane_key(string project) =>
        Assert.Equal(project, ThrottleKeys.For(project));

    [Theory]
    [InlineData("a@b")]
    [InlineData("a/b")]
    [InlineData("a#b?c")]
    [InlineData("")]
    public void Other_names_get_a_safe_distinct_key(string project)
    {
        var key = ThrottleKeys.For(project);

        Assert.DoesNotContain(key, c => c is '@' or '/' or '\\' or '#' or '?');
        Assert.NotEqual(key, ThrottleKeys.For(project + "x"));
        Assert.NotEmpty(key);
    }

    [Fact]
    public void Keys_of_long_names_stay_short_and_distinct()
    {
        var a = ThrottleKeys.For(new string('a', 300));
        var b = ThrottleKeys.For(new string('a', 299) + "b");

        Assert.True(a.Length < 100);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData(DateTimeKind.Utc)]
    [InlineData(DateTimeKind.Unspecified)]
    public void The_orchestration_clock_is_utc_whatever_its_kind(DateTimeKind kind)
    {
        var at = OrchestrationTime.FromUtc(new DateTime(2026, 11, 22, 10, 0, 0, kind));

        Assert.Equal(TimeSpan.Zero, at.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), at);
    }

    [Fact]
    public void A_pause_fires_after_its_delay_and_never_in_the_past()
    {
        var now = new DateTime(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc);

        Assert.Equal(now.AddSeconds(3), OrchestrationTime.FireAt(now, TimeSpan.FromSeconds(3)));
        Assert.Equal(now, OrchestrationTime.FireAt(now, TimeSpan.FromSeconds(-1)));
        Assert.Equal(DateTimeKind.Utc, OrchestrationTime.FireAt(now, TimeSpan.Zero).Kind);
    }

    [Fact]
    public void The_retry_policy_fits_inside_a_one_minute_run()
    {
        var r = ActivityRetry.Default;
        var waited = TimeSpan.Zero;
        var interval = r.FirstInterval;
        for (var attempt = 1; attempt < r.MaxAttempts; attempt++)
        {
            waited += interval;
            interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * r.BackoffCoefficient), r.MaxInterval.Ticks));
        }

        // Durable's RetryPolicy rejects a coefficient below 1 and intervals that are not positive.
        Assert.True(r.MaxAttempts > 0 && r.FirstInterval > TimeSpan.Zero && r.BackoffCoefficient >= 1.0 && r.MaxInterval >= r.FirstInterval);
        Assert.True(waited < TimeSpan.FromSeconds(15));
    }
}
