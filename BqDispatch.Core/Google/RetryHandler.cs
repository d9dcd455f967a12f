using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace BqDispatch.Core.Google;

/// <summary>
/// The one retry policy of the Google clients (BigQuery and Cloud Storage), as a <see cref="DelegatingHandler"/>.
/// A request is retried only when it is idempotent: GET and HEAD, or any request whose options carry
/// <see cref="Idempotent"/> = true (conditional writes, deletes and rewrites are, thanks to their preconditions).
/// It is retried after 408, 429, 5xx, a timeout that is not the caller's cancellation, or a transport failure
/// (<see cref="HttpRequestException"/>, <see cref="IOException"/>, a dropped connection), with exponential backoff
/// and full jitter (<see cref="RetryPolicy"/>), honouring a <c>Retry-After</c> header. Every other request is sent once.
/// An attempt is the whole exchange, response body included (it is buffered within the attempt's timeout), and no
/// attempt runs past the <see cref="CallDeadline"/> of the run that makes it.
/// The number of attempts made is stored in the request's options under <see cref="Attempts"/>, and whether an earlier
/// attempt may have taken effect unseen under <see cref="EarlierAttemptMayHaveLanded"/>, so a caller can reconcile a
/// retried create. Headers (bearer tokens) never appear in what it reports.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    /// <summary>Set to true on a request that is safe to repeat (e.g. it carries a generation precondition).</summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("BqDispatch.Retry.Idempotent");

    /// <summary>How many times the request was sent (1 when it was not retried).</summary>
    public static readonly HttpRequestOptionsKey<int> Attempts = new("BqDispatch.Retry.Attempts");

    /// <summary>
    /// True when an earlier attempt of the request may have taken effect without its caller learning so: it got no
    /// response (dropped connection, timeout) or a 500, 502 or 504. A 408, 429 or 503 answer means the service did not
    /// perform the request, so it does not count. A create-only write that meets 412 reconciles only when this is true.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> EarlierAttemptMayHaveLanded = new("BqDispatch.Retry.EarlierAttemptMayHaveLanded");

    /// <summary>
    /// Set to true on a write that must not be repeated blindly: once an attempt may have landed unseen (no response, or
    /// a 500, 502 or 504), the handler gives that outcome back instead of retrying, so the caller can look before it writes
    /// again. 408, 429 and 503 are still retried (the service did not perform the request).
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> LookBeforeRepeat = new("BqDispatch.Retry.LookBeforeRepeat");

    private readonly RetryPolicy policy;
    private readonly TimeProvider time;
    private readonly Func<TimeSpan, CancellationToken, Task> delay;
    private readonly Func<double> random;

    /// <param name="policy">Backoff and limits; <see cref="RetryPolicy.Default"/> when null.</param>
    /// <param name="delay">Waits between attempts (tests pass one that does not sleep); default Task.Delay on <paramref name="time"/>.</param>
    /// <param name="random">A value in [0, 1) for the jitter; default <see cref="Random.Shared"/>.</param>
    /// <param name="time">Measures the deadline; default the system clock.</param>
    public RetryHandler(
        RetryPolicy? policy = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        Func<double>? random = null,
        TimeProvider? time = null)
    {
        this.policy = policy ?? RetryPolicy.Default;
        this.policy.Validate();
        this.time = time ?? TimeProvider.System;
        this.delay = delay ?? ((wait, cancellation) => Task.Delay(wait, this.time, cancellation));
        this.random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The policy in force.</summary>
    public RetryPolicy Policy => policy;

    /// <summary>True when <paramref name="request"/> may be sent more than once.</summary>
    public static bool IsIdempotent(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
            || (request.Options.TryGetValue(Idempotent, out var marked) && marked);
    }

    /// <summary>True for the statuses worth retrying: 408, 429 and 5xx.</summary>
    public static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Less than this before the run's call deadline starts no retry.</summary>
    private static readonly TimeSpan LeastWorthAnAttempt = TimeSpan.FromMilliseconds(100);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var retryable = IsIdempotent(request) && policy.MaxAttempts > 1;
        if (retryable && request.Content is not null)
        {
            // Every attempt must send the same bytes: buffer a streamed body once, before the first attempt.
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        var started = time.GetTimestamp();
        var looksFirst = request.Options.TryGetValue(LookBeforeRepeat, out var look) && look;
        var mayHaveLanded = false;
        for (var attempt = 1; ; attempt++)
        {
            request.Options.Set(Attempts, attempt);
            request.Options.Set(EarlierAttemptMayHaveLanded, mayHaveLanded);
            HttpResponseMessage? response = null;
            try
            {
                response = await Attempt(request, cancellationToken);
            }
            catch (Exception e) when (retryable && !looksFirst && IsTransient(e, cancellationToken)
                                      && NextDelay(attempt, started, null) is { } wait)
            {
                mayHaveLanded = true;
                await delay(wait, cancellationToken);
                continue;
            }

            var landedUnseen = response.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;
            if (!retryable || !IsRetryableStatus(response.StatusCode) || (landedUnseen && looksFirst)
                || NextDelay(attempt, started, RetryAfter(response)) is not { } backoff)
            {
                return response;
            }

            mayHaveLanded |= landedUnseen;
            response.Dispose();
            await delay(backoff, cancellationToken);
        }
    }

    /// <summary>
    /// One attempt is the whole exchange: headers and body arrive within <see cref="RetryPolicy.AttemptTimeout"/>
    /// (and before the <see cref="CallDeadline"/>), or the attempt fails as a timeout. The body is buffered here, so a
    /// server that sends its headers and then trickles the body cannot hold a call longer than one attempt, and one
    /// that sends more than <see cref="RetryPolicy.MaxResponseBytes"/> fails the call without a retry.
    /// </summary>
    private async Task<HttpResponseMessage> Attempt(HttpRequestMessage request, CancellationToken cancellation)
    {
        var limit = AttemptLimit();
        if (limit <= TimeSpan.Zero)
        {
            throw new TaskCanceledException("The run's time budget for Google calls is spent.", new TimeoutException());
        }

        using var timeout = limit is { } bounded ? new CancellationTokenSource(bounded, time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        var response = await base.SendAsync(request, linked.Token);
        try
        {
            // Refused at once when Content-Length says too much, else when the buffer would overflow.
            await response.Content.LoadIntoBufferAsync(policy.MaxResponseBytes, linked.Token);
            return response;
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            response.Dispose();
            throw new HttpRequestException(
                HttpRequestError.ConfigurationLimitExceeded,
                $"the response body is larger than {policy.MaxResponseBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes");
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The attempt timeout, cut to what is left before the call deadline; null when neither bounds it.</summary>
    private TimeSpan? AttemptLimit()
    {
        TimeSpan? limit = policy.AttemptTimeout == Timeout.InfiniteTimeSpan ? null : policy.AttemptTimeout;
        if (CallDeadline.Left(time.GetUtcNow()) is { } runLeft && (limit is null || runLeft < limit))
        {
            limit = runLeft < TimeSpan.Zero ? TimeSpan.Zero : runLeft;
        }

        return limit;
    }

    private static bool IsTransient(Exception e, CancellationToken cancellation) => e switch
    {
        // A body over the size limit would be as large on the next attempt.
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => false,
        HttpRequestException or IOException => true,
        GoogleTokenException token => token.IsTransient,

        // A timeout inside the pipeline (not the caller's token) surfaces as a cancellation.
        OperationCanceledException => !cancellation.IsCancellationRequested,
        _ => false,
    };

    /// <summary>
    /// The wait before attempt <paramref name="attempt"/> + 1, or null when no retry is allowed: attempts are used up,
    /// the deadline has passed, or the server's Retry-After reaches beyond the deadline. A jittered backoff is cut
    /// to what is left of the deadline.
    /// </summary>
    private TimeSpan? NextDelay(int attempt, long started, TimeSpan? retryAfter)
    {
        if (attempt >= policy.MaxAttempts)
        {
            return null;
        }

        var left = policy.Deadline - time.GetElapsedTime(started);
        if (CallDeadline.Left(time.GetUtcNow()) is { } runLeft && runLeft < left)
        {
            // A timer may cut the attempt a few milliseconds before the run's deadline: what is left then is no attempt.
            left = runLeft < LeastWorthAnAttempt ? TimeSpan.Zero : runLeft;
        }

        if (left <= TimeSpan.Zero)
        {
            return null;
        }

        if (retryAfter is { } asked)
        {
            return asked <= left ? asked : null;
        }

        var bound = policy.BackoffBound(attempt + 1);
        var jittered = TimeSpan.FromMilliseconds(bound.TotalMilliseconds * Math.Clamp(random(), 0, 1));
        return jittered < left ? jittered : left;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
