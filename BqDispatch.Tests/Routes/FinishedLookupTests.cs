using BqDispatch.Core.Routes;
using Xunit;

namespace BqDispatch.Tests.Routes;

public class FinishedLookupTests
{
    private static readonly DateTimeOffset Until = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_job_is_got_not_listed()
    {
        Assert.Equal(1, FinishedLookup.ListFrom([Until.AddSeconds(-5)], Until, 1));
    }

    [Fact]
    public void Many_recent_jobs_of_a_quiet_window_are_listed_in_one_page()
    {
        var created = Enumerable.Range(0, 12).Select(i => Until.AddSeconds(-30 + i)).ToList();

        Assert.Equal(0, FinishedLookup.ListFrom(created, Until, jobsPerSecond: 100));
    }

    [Fact]
    public void A_long_running_job_of_a_busy_project_is_got_and_the_recent_ones_listed()
    {
        // An hour at 100 jobs a second is 360 pages; the last 20 s are 2.
        List<DateTimeOffset> created = [Until.AddHours(-1), .. Enumerable.Range(0, 10).Select(i => Until.AddSeconds(-20 + i))];

        Assert.Equal(1, FinishedLookup.ListFrom(created, Until, jobsPerSecond: 100));
    }

    [Fact]
    public void When_every_window_costs_more_pages_than_its_jobs_each_is_got()
    {
        var created = Enumerable.Range(0, 3).Select(i => Until.AddMinutes(-30 + i)).ToList();

        Assert.Equal(3, FinishedLookup.ListFrom(created, Until, jobsPerSecond: 100));
        Assert.Equal(0, FinishedLookup.ListFrom([], Until, 100));
    }
}
