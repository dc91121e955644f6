using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace ShardStore.S3.Internals;

/// <summary>Runs one request with a timeout per attempt, retrying transient failures with exponential backoff up to a deadline.</summary>
internal static class S3Retry
{
    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for good, or the deadline passes.</summary>
    /// <param name="options">Attempt timeout, deadline and delays.</param>
    /// <param name="attempt">One try; receives a token that fires at the attempt timeout, the deadline or the caller's cancellation.</param>
    /// <param name="deadlineExceeded">Builds the exception thrown when the deadline passes, from the last failure and the number of attempts.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    public static async Task<T> RunAsync<T>(
        S3StorageOptions options,
        Func<CancellationToken, Task<T>> attempt,
        Func<Exception?, int, TimeSpan, Exception> deadlineExceeded,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = options.InitialRetryDelay;
        Exception? last = null;
        for (var attempts = 0; ; )
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = options.RetryDeadline - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw deadlineExceeded(last, attempts, Stopwatch.GetElapsedTime(started));
            }

            attempts++;
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptCts.CancelAfter(remaining < options.AttemptTimeout ? remaining : options.AttemptTimeout);
                try
                {
                    return await attempt(attemptCts.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e))
                {
                    last = e;
                }
            }

            remaining = options.RetryDeadline - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw deadlineExceeded(last, attempts, Stopwatch.GetElapsedTime(started));
            }

            // Full jitter keeps the ranks of a job that lost the server together from retrying in lockstep.
            var wait = TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + (Random.Shared.NextDouble() / 2))));
            if (wait >= remaining)
            {
                // No attempt could start before the deadline: one squeezed into what is left would be cut at once and its
                // cancellation would hide the real failure.
                await Task.Delay(remaining, cancellationToken).ConfigureAwait(false);
                throw deadlineExceeded(last, attempts, Stopwatch.GetElapsedTime(started));
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < options.MaxRetryDelay ? delay * 2 : options.MaxRetryDelay;
        }
    }

    /// <summary>Gets whether a failure may go away by itself: a timeout, a broken connection, a server error or throttling, an unusable response.</summary>
    internal static bool IsTransient(Exception e) => e switch
    {
        AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout } => true,
        AmazonServiceException { StatusCode: > 0 } => false,
        S3TransientResponseException or OperationCanceledException or TimeoutException or HttpRequestException or SocketException => true,
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => false,
        IOException and not S3DeadlineExceededException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };
}
