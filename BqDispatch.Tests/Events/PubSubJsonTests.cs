using System.Text;
using BqDispatch.Core.Events;
using Xunit;

namespace BqDispatch.Tests.Events;

/// <summary>The push request body as Pub/Sub sends it (reference gcp-rest-and-auth.md §5.4, verified with the emulator).</summary>
public class PubSubJsonTests
{
    [Fact]
    public void A_push_body_gives_the_message_its_data_and_the_subscription()
    {
        var data = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"hello\":1}"));
        var body = $$"""
            {"message":{"data":"{{data}}","attributes":{"logging.googleapis.com/timestamp":"2026-11-22T10:00:12.9Z"},
             "messageId":"2070443601311540","message_id":"2070443601311540",
             "publishTime":"2026-11-22T10:00:13.020Z","publish_time":"2026-11-22T10:00:13.020Z"},
             "subscription":"projects/proj1/subscriptions/bq-job-done-azure"}
            """;

        var (message, subscription) = PubSubJson.ReadPush(body);

        Assert.Equal("2070443601311540", message.MessageId);
        Assert.Equal("{\"hello\":1}", Encoding.UTF8.GetString(message.Data));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 13, 20, TimeSpan.Zero), message.PublishTime);
        Assert.Equal("projects/proj1/subscriptions/bq-job-done-azure", subscription);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("""{"message":"x"}""")]
    [InlineData("""{"message":{"data":"aGk="}}""")]
    [InlineData("""{"message":{"messageId":"1","data":"%%%"}}""")]
    public void Bodies_of_another_shape_are_format_errors(string body)
    {
        Assert.Throws<FormatException>(() => PubSubJson.ReadPush(body));
    }
}
