using BqDispatch.Core.Google;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Storage.Gcs;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>
/// The Cloud Storage client, composed as deployed (retry policy, no redirects), against a server that answers like a
/// broken or hostile one: every call ends within a bound of its attempt timeout with a StorageException naming the
/// problem. Attempts are cut at 1 s; a call that is not over after 30 s fails the test. (Slow headers are the retry
/// handler's alone, tested with the BigQuery client in HostileServiceTests.)
/// </summary>
public sealed class GcsHostileServerTests
{
    private static readonly RetryPolicy ShortRetry = RetryPolicy.Default with
    {
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        Deadline = TimeSpan.FromSeconds(1.5),
        AttemptTimeout = TimeSpan.FromSeconds(1),
        MaxResponseBytes = 1024 * 1024,
    };

    [Theory]
    [InlineData(Hostility.SlowBody, "timed out")]
    [InlineData(Hostility.HugeBody, "larger than 1,048,576 bytes")]
    [InlineData(Hostility.InvalidJson, "the body cannot be read")]
    [InlineData(Hostility.Html, "the body is text/html, not JSON")]
    [InlineData(Hostility.ErrorIn200, "a 2xx answer carries an error: backend exploded")]
    [InlineData(Hostility.Redirect, "a redirect to localhost, which is not followed")]
    [InlineData(Hostility.Int64Overflow, "'generation' is missing or not an int64")]
    public async Task A_hostile_listing_fails_in_time_with_a_clear_error(Hostility hostility, string expected)
    {
        await using var elsewhere = new HostileServer(Hostility.Html);
        await using var server = new HostileServer(hostility) { RedirectTo = new Uri($"http://localhost:{elsewhere.HostAndPort.Split(':')[1]}/steal") };
        using var http = GoogleHttp.CreateClient(GoogleAccess.Unauthenticated("test"), new RetryHandler(ShortRetry));
        var store = new GcsStore(http, "http://" + server.HostAndPort);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.List("gs://bucket/tasks/", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task An_object_read_larger_than_the_limit_fails_at_once()
    {
        await using var server = new HostileServer(Hostility.HugeBody);
        using var http = GoogleHttp.CreateClient(GoogleAccess.Unauthenticated("test"), new RetryHandler(ShortRetry));
        var store = new GcsStore(http, "http://" + server.HostAndPort);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.Read("gs://bucket/config.json", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("larger than 1,048,576 bytes", error.Message, StringComparison.Ordinal);
    }
}
