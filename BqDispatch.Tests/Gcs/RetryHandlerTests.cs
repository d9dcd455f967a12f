using System.Net;
using System.Net.Http.Headers;
using BqDispatch.Core.Google;
using Xunit;

namespace BqDispatch.Tests.Gcs;

/// <summary>RetryHandler against a scripted inner handler; time is virtual (the delay function advances it, nothing sleeps).</summary>
public sealed class RetryHandlerTests
{
    private static readonly Uri Target = new("https://storage.googleapis.com/storage/v1/b/bucket/o/x");

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(408)]
    public async Task Get_is_retried_after_a_retryable_status(int status)
    {
        var rig = new Rig((HttpStatusCode)status, HttpStatusCode.OK);

        using var response = await rig.Send(new HttpRequestMessage(HttpMethod.Get, Target));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, rig.Calls);
        Assert.Single(rig.Delays);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(412)]
    public async Task Other_statuses_are_returned_at_once(int status)
    {
        var rig = new Rig((HttpStatusCode)status, HttpStatusCode.OK);

        using var response = await rig.Send(new HttpRequestMessage(HttpMethod.Get, Target));

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(1, rig.Calls);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_for_a_get_and_for_a_marked_post()
    {
        var get = new Rig(Rig.Drop, HttpStatusCode.OK);
        var post = new Rig(Rig.Drop, new IOException("reset"), HttpStatusCode.OK);
        using var marked = new HttpRequestMessage(HttpMethod.Post, Target) { Content = new ByteArrayContent([1, 2, 3]) };
        marked.Options.Set(RetryHandler.Idempotent, true);

        using var first = await get.Send(new HttpRequestMessage(HttpMethod.Get, Target));
        using var second = await post.Send(marked);

        Assert.Equal(2, get.Calls);
        Assert.Equal(3, post.Calls);
        Assert.True(marked.Options.TryGetValue(RetryHandler.Attempts, out var attempts));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Only_unanswered_attempts_and_500_502_504_count_as_possibly_landed()
    {
        var answered = new Rig(HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable, HttpStatusCode.RequestTimeout, HttpStatusCode.PreconditionFailed);
        var dropped = new Rig(HttpStatusCode.TooManyRequests, Rig.Drop, HttpStatusCode.PreconditionFailed);
        var gateway = new Rig(HttpStatusCode.GatewayTimeout, HttpStatusCode.PreconditionFailed);
        var first = Marked();
        var second = Marked();
        var third = Marked();

        using var a = await answered.Send(first);
        using var b = await dropped.Send(second);
        using var c = await gateway.Send(third);

        Assert.True(first.Options.TryGetValue(RetryHandler.EarlierAttemptMayHaveLanded, out var firstLanded));
        Assert.False(firstLanded);
        Assert.True(second.Options.TryGetValue(RetryHandler.EarlierAttemptMayHaveLanded, out var secondLanded));
        Assert.True(secondLanded);
        Assert.True(third.Options.TryGetValue(RetryHandler.EarlierAttemptMayHaveLanded, out var thirdLanded));
        Assert.True(thirdLanded);
        Assert.Equal(4, answered.Calls);

        static HttpRequestMessage Marked()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Target) { Content = new ByteArrayContent([1]) };
            request.Options.Set(RetryHandler.Idempotent, true);
            return request;
        }
    }

    [Fact]
    public async Task An_unmarked_post_is_sent_once_whatever_happens()
    {
        var failing = new Rig(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var dropping = new Rig(Rig.Drop, HttpStatusCode.OK);
        using var post = new HttpRequestMessage(HttpMethod.Post, Target) { Content = new ByteArrayContent([1]) };

        using var response = await failing.Send(post);
        await Assert.ThrowsAsync<HttpRequestException>(() => dropping.Send(new HttpRequestMessage(HttpMethod.Post, Target)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, failing.Calls);
        Assert.Equal(1, dropping.Calls);
        Assert.True(post.Options.TryGetValue(RetryHandler.Attempts, out var attempts));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_marked_false_post_is_not_retried()
    {
        var rig = new Rig(HttpStatusCode.TooManyRequests, HttpStatusCode.OK);
        using var post = new HttpRequestMessage(HttpMethod.Delete, Target);
        post.Options.Set(RetryHandler.Idempotent, false);

        using var response = await rig.Send(post);

        Assert.Equal(1, rig.Calls);
    }

    [Fact]
    public async Task Retry_after_seconds_is_honoured_instead_of_the_backoff()
    {
        var limited = Rig.Response(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        var rig = new Rig(limited, HttpStatusCode.OK);

        using var response = await rig.Send(new HttpRequestMessage(HttpMethod.Get, Target));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(7)], rig.Delays);
    }

    [Fact]
    public async Task Retry_after_beyond_the_deadline_stops_retrying()
    {
        var limited = Rig.Response(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
        var rig = new Rig(limited, HttpStatusCode.OK);

        using var response = await rig.Send(new HttpRequestMessage(HttpMethod.Get, Target));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, rig.Calls);
        Assert.Empty(rig.Delays);
    }

    [Fact]
    public async Task Backoff_is_exponential_with_full_jitter_capped_at_the_max_delay()
    {
        var policy = RetryPolicy.Default with { MaxAttempts = 9, Deadline = TimeSpan.FromMinutes(5) };
        var rig = new Rig(policy, random: () => 0.999999, Enumerable.Repeat<object>(HttpStatusCode.ServiceUnavailable, 9).ToArray());

        using var response = await rig.Send(new HttpRequestMessage(HttpMethod.Get, Target));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(9, rig.Calls);
        var bounds = new[] { 200, 400, 800, 1600, 3200, 6400, 10000, 10000 };
        Assert.Equal(bounds.Length, rig.Delays.Count);
        for (var i = 0; i < bounds.Length; i++)
        {
            Assert.InRange(rig.Delays[i].TotalMilliseconds, bounds[i] * 0.999, bounds[i]);
        }

        var zero = new Rig(policy, random: () => 0, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var quick = await zero.Send(new HttpRequestMessage(HttpMethod.Get, Target));
        Assert.Equal([TimeSpan.Zero], zero.Delays);
    }

    [Fact]
    public async Task Default_policy_stops_after_six_attempts()
    {
        var rig = new Rig(Enumerable.Repeat<object>(HttpStatusCode.ServiceUnavailable, 10).ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Get, Target);

        using var response = await rig.Send(request);

        Assert.Equal(6, rig.Calls);
        Assert.True(request.Options.TryGetValue(RetryHandler.Attempts, out var attempts));
        Assert.Equal(6, attempts);
    }

    [Fact]
    public async Task The_deadline_stops_retries_and_cuts_the_last_wait()
    {
        // Each attempt takes 4 s of virtual time; the deadline is 10 s.
        var policy = RetryPolicy.Default with { MaxAttempts = 100, Deadline = TimeSpan.FromSeconds(10), InitialDelay = TimeSpan.FromSeconds(1) };
        var rig = new Rig(policy, random: () => 0.999999, Enumerable.Repeat<object>(HttpStatusCode.ServiceUnavailable, 100).ToArray())
        {
            AttemptDuration = TimeSpan.FromSeconds(4),
        };

        using var response = await rig.Send(new HttpRequestMessage(HttpMethod.Get, Target));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, rig.Calls);
        Assert.True(rig.Elapsed <= TimeSpan.FromSeconds(10) + 3 * rig.AttemptDuration, $"elapsed {rig.Elapsed}");
        Assert.All(rig.Delays, d => Assert.True(d <= TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_timeout_inside_the_pipeline_is_retried_but_the_callers_cancellation_is_not()
    {
        var timedOut = new Rig(new TaskCanceledException("attempt timed out"), HttpStatusCode.OK);
        using var response = await timedOut.Send(new HttpRequestMessage(HttpMethod.Get, Target));
        Assert.Equal(2, timedOut.Calls);

        using var cancel = new CancellationTokenSource();
        var cancelled = new Rig(Rig.CancelCaller, HttpStatusCode.OK) { Caller = cancel };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Send(new HttpRequestMessage(HttpMethod.Get, Target), cancel.Token));
        Assert.Equal(1, cancelled.Calls);
    }

    [Fact]
    public async Task Content_is_buffered_and_resent_intact_on_every_attempt()
    {
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var rig = new Rig(Rig.Drop, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var request = new HttpRequestMessage(HttpMethod.Post, Target)
        {
            // A non-seekable stream: without buffering a second attempt would send nothing.
            Content = new StreamContent(new OneWayStream(payload)),
        };
        request.Options.Set(RetryHandler.Idempotent, true);

        using var response = await rig.Send(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, rig.Bodies.Count);
        Assert.All(rig.Bodies, body => Assert.Equal(payload, body));
    }

    [Fact]
    public async Task Exceptions_and_attempt_counts_never_carry_the_authorization_header()
    {
        var policy = RetryPolicy.Default with { MaxAttempts = 2 };
        var rig = new Rig(policy, null, new HttpRequestException("connection refused"), new HttpRequestException("connection refused"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Target);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "ya29.secret-token");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => rig.Send(request));

        Assert.DoesNotContain("ya29", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, rig.Calls);
    }

    [Fact]
    public async Task A_write_that_looks_before_repeating_comes_back_after_an_attempt_that_may_have_landed()
    {
        var throttled = new Rig(HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        var dropped = new Rig(HttpStatusCode.TooManyRequests, Rig.Drop, HttpStatusCode.OK);

        using var answer = await throttled.Send(LooksFirst());
        await Assert.ThrowsAsync<HttpRequestException>(() => dropped.Send(LooksFirst()));

        // 429 and 503 are retried as usual (nothing landed); the 500 and the drop come back to the caller.
        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Equal(3, throttled.Calls);
        Assert.Equal(2, dropped.Calls);

        static HttpRequestMessage LooksFirst()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Target) { Content = new ByteArrayContent([1]) };
            request.Options.Set(RetryHandler.Idempotent, true);
            request.Options.Set(RetryHandler.LookBeforeRepeat, true);
            return request;
        }
    }

    [Fact]
    public void Policy_defaults_match_the_documented_values()
    {
        var policy = RetryPolicy.Default;

        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.InitialDelay);
        Assert.Equal(2, policy.Multiplier);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), policy.Deadline);
        Assert.Equal(6, policy.MaxAttempts);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryHandler(policy with { MaxAttempts = 0 }));
    }

    /// <summary>A RetryHandler over a scripted inner handler, with a virtual clock the delays advance.</summary>
    private sealed class Rig
    {
        public static readonly object Drop = new HttpRequestException("The response ended prematurely.", new IOException("reset"));
        public static readonly object CancelCaller = new();

        private readonly Queue<object> script;
        private readonly VirtualTime time = new();
        private readonly HttpMessageInvoker invoker;

        public Rig(params object[] script)
            : this(RetryPolicy.Default, null, script)
        {
        }

        public Rig(RetryPolicy policy, Func<double>? random, params object[] script)
        {
            this.script = new Queue<object>(script);
            var handler = new RetryHandler(
                policy,
                (wait, _) =>
                {
                    Delays.Add(wait);
                    time.Advance(wait);
                    return Task.CompletedTask;
                },
                random ?? (() => 0.5),
                time)
            {
                InnerHandler = new Scripted(this),
            };
            invoker = new HttpMessageInvoker(handler);
        }

        public int Calls { get; private set; }

        public List<TimeSpan> Delays { get; } = [];

        public List<byte[]> Bodies { get; } = [];

        public TimeSpan AttemptDuration { get; init; }

        public CancellationTokenSource? Caller { get; init; }

        public TimeSpan Elapsed => time.Elapsed;

        public static HttpResponseMessage Response(HttpStatusCode status) => new(status) { Content = new StringContent("{}") };

        public Task<HttpResponseMessage> Send(HttpRequestMessage request, CancellationToken cancellation = default) =>
            invoker.SendAsync(request, cancellation);

        private sealed class Scripted(Rig rig) : HttpMessageHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                rig.Calls++;
                rig.time.Advance(rig.AttemptDuration);
                if (request.Content is not null)
                {
                    rig.Bodies.Add(await request.Content.ReadAsByteArrayAsync(cancellationToken));
                }

                var next = rig.script.Count > 0 ? rig.script.Dequeue() : HttpStatusCode.OK;
                if (ReferenceEquals(next, CancelCaller))
                {
                    await rig.Caller!.CancelAsync();
                    throw new TaskCanceledException("cancelled", null, cancellationToken);
                }

                return next switch
                {
                    HttpStatusCode status => Response(status),
                    HttpResponseMessage response => response,
                    Exception e => throw e,
                    _ => throw new InvalidOperationException("bad script"),
                };
            }
        }
    }

    private sealed class VirtualTime : TimeProvider
    {
        private long ticks;

        public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref ticks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref ticks);

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero) + Elapsed;
    }

    /// <summary>A read-once, non-seekable stream.</summary>
    private sealed class OneWayStream(byte[] data) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, data.Length - position);
            Array.Copy(data, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
