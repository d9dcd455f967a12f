using System.Net;
using BqDispatch.Core.Google;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>A hung attempt is cut off by the policy's attempt timeout and retried, instead of using up the whole call.</summary>
public sealed class RetryAttemptTimeoutTests
{
    private static readonly RetryPolicy Policy = RetryPolicy.Default with
    {
        AttemptTimeout = TimeSpan.FromMilliseconds(100),
        InitialDelay = TimeSpan.Zero,
    };

    [Fact]
    public async Task A_hung_get_is_abandoned_and_retried()
    {
        var inner = new HangsFirst(hangs: 2);
        using var client = new HttpClient(new RetryHandler(Policy) { InnerHandler = inner });

        using var response = await client.GetAsync(new Uri("http://127.0.0.1:9/x"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task A_hung_non_idempotent_post_times_out_once_and_is_not_repeated()
    {
        var inner = new HangsFirst(hangs: 1);
        using var client = new HttpClient(new RetryHandler(Policy) { InnerHandler = inner });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostAsync(new Uri("http://127.0.0.1:9/x"), new StringContent("{}")));

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Without_an_attempt_timeout_the_call_is_still_made()
    {
        var inner = new HangsFirst(hangs: 0);
        using var client = new HttpClient(new RetryHandler(Policy with { AttemptTimeout = Timeout.InfiniteTimeSpan }) { InnerHandler = inner });

        using var response = await client.GetAsync(new Uri("http://127.0.0.1:9/x"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task No_attempt_starts_after_the_call_deadline()
    {
        var inner = new HangsFirst(hangs: 0);
        using var client = new HttpClient(new RetryHandler(Policy) { InnerHandler = inner });

        using (CallDeadline.Until(DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(new Uri("http://127.0.0.1:9/x")));
        }

        using var after = await client.GetAsync(new Uri("http://127.0.0.1:9/x"));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task A_hung_attempt_is_cut_at_the_call_deadline_and_not_retried_past_it()
    {
        var inner = new HangsFirst(hangs: 100);
        using var client = new HttpClient(new RetryHandler(Policy with { AttemptTimeout = TimeSpan.FromMinutes(1), Deadline = TimeSpan.FromMinutes(1) }) { InnerHandler = inner });

        using (CallDeadline.Until(DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(new Uri("http://127.0.0.1:9/x")).WaitAsync(TimeSpan.FromSeconds(30)));
        }

        // One attempt, or none when a loaded machine reached the call after its deadline: never a retry past it.
        Assert.InRange(inner.Calls, 0, 1);
    }

    [Fact]
    public void A_non_positive_attempt_timeout_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => (RetryPolicy.Default with { AttemptTimeout = TimeSpan.Zero }).Validate());

    private sealed class HangsFirst(int hangs) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (++Calls <= hangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
