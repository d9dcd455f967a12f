using BqDispatch.Core.Configuration;
using Xunit;

namespace BqDispatch.Tests.Configuration;

public class DispatchConfigTests
{
    [Theory]
    [InlineData(0, 55)]
    [InlineData(1, 55)]
    [InlineData(9, 535)]
    public void A_run_lasts_the_time_to_live_less_five_seconds(int timeToLiveInMin, int seconds)
    {
        var config = new DispatchConfig { TimeToLiveInMin = timeToLiveInMin };

        Assert.Equal(TimeSpan.FromSeconds(seconds), config.RunBudget);
    }

    [Theory]
    [InlineData(0, 120_000)]
    [InlineData(15_000, 15_000)]
    public void The_trigger_delay_defaults_to_two_minutes(int maxTriggerDelayMs, int milliseconds)
    {
        var config = new DispatchConfig { MaxTriggerDelayMs = maxTriggerDelayMs };

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), config.TriggerDelay);
    }

    [Fact]
    public void A_config_built_in_code_has_the_documented_defaults()
    {
        var config = new DispatchConfig();

        Assert.Equal(("us-central1", "/_bqjob_/", "/_batch_/", 4, 1500, true), (config.Region, config.PostJobPrefix, config.BatchPrefix, config.MaxRetries, config.ThinkTimeMs, config.ListAllUsers));
    }
}
