using BqDispatch.Core.Configuration;
using Xunit;

namespace BqDispatch.Tests.Configuration;

/// <summary>The completion-event keys: shapes checked at load, push settings in pairs.</summary>
public class EventConfigTests
{
    private static DispatchConfig Parse(string extra, Dictionary<string, string?>? environment = null) => ConfigLoader.Parse(
        $$"""{"ProjectID":"cfgp","AsyncTaskURL":"gs://d/Tasks/","JournalURL":"gs://o/J/","ErrorURL":"gs://o/E/"{{extra}}}""",
        environment ?? []);

    [Fact]
    public void Without_event_keys_events_are_off()
    {
        var config = Parse("");

        Assert.Null(config.EventSubscription);
        Assert.Null(config.EventAudience);
        Assert.Null(config.EventServiceAccount);
        Assert.False(config.EventsOn);
        Assert.Equal(17_000, config.EventSweepPauseMs);
    }

    [Fact]
    public void A_pull_subscription_and_the_push_pair_load()
    {
        var config = Parse("""
            ,"EventSubscription":"projects/p1/subscriptions/bq-job-done","EventAudience":"https://app.example/api/events",
            "EventServiceAccount":"pusher@p1.iam.gserviceaccount.com","EventKeysURL":"http://127.0.0.1:9/certs","EventSweepPauseMs":30000
            """);

        Assert.Equal("projects/p1/subscriptions/bq-job-done", config.EventSubscription);
        Assert.Equal("https://app.example/api/events", config.EventAudience);
        Assert.Equal("pusher@p1.iam.gserviceaccount.com", config.EventServiceAccount);
        Assert.Equal("http://127.0.0.1:9/certs", config.EventKeysURL);
        Assert.True(config.EventsOn);
        Assert.Equal(30_000, config.EventSweepPauseMs);
    }

    [Theory]
    [InlineData(""","EventSubscription":"bq-job-done" """, "EventSubscription must be projects/<project>/subscriptions/<subscription>")]
    [InlineData(""","EventSubscription":"projects/p1/topics/t" """, "EventSubscription must be")]
    [InlineData(""","EventAudience":"https://app.example/api/events" """, "EventServiceAccount is missing")]
    [InlineData(""","EventServiceAccount":"pusher@p1.iam.gserviceaccount.com" """, "EventAudience is missing")]
    [InlineData(""","EventAudience":"a","EventServiceAccount":"not an email" """, "EventServiceAccount must be a service account's email")]
    [InlineData(""","EventKeysURL":"ftp://keys" """, "EventKeysURL must be an http(s) URL")]
    [InlineData(""","EventSweepPauseMs":999 """, "EventSweepPauseMs must be within 1,000–600,000")]
    public void Bad_event_keys_are_errors_that_name_them(string extra, string message)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(extra));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_push_pair_may_come_from_the_app_settings_and_the_configuration_wins()
    {
        var settings = new Dictionary<string, string?>
        {
            ["EVENT_AUDIENCE"] = "bqdispatch-events",
            ["EVENT_SERVICE_ACCOUNT"] = "pusher@p1.iam.gserviceaccount.com",
        };

        var fromSettings = Parse("", settings);
        var overridden = Parse(""","EventAudience":"https://app.example/api/events" """, settings);

        Assert.Equal("bqdispatch-events", fromSettings.EventAudience);
        Assert.Equal("pusher@p1.iam.gserviceaccount.com", fromSettings.EventServiceAccount);
        Assert.Equal("https://app.example/api/events", overridden.EventAudience);
        Assert.Equal("pusher@p1.iam.gserviceaccount.com", overridden.EventServiceAccount);
        Assert.Contains(
            "EventServiceAccount is missing",
            Assert.Throws<ConfigException>(() => Parse("", new() { ["EVENT_AUDIENCE"] = "a" })).Message,
            StringComparison.Ordinal);
    }
}
