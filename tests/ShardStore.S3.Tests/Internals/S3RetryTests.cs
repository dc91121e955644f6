using System.Net;
using Amazon.S3;
using ShardStore.S3.Internals;

namespace ShardStore.S3.Tests.Internals;

[TestClass]
public sealed class S3RetryTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    private static S3StorageOptions Options(TimeSpan deadline, TimeSpan? attemptTimeout = null) => new()
    {
        RetryDeadline = deadline,
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10),
        InitialRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(20),
    };

    private static Exception Deadline(Exception? last, int attempts, TimeSpan elapsed) => new S3DeadlineExceededException($"{attempts} attempts", "s3://b/k", 0, 1, last);

    [TestMethod]
    public async Task RunAsync_TransientThenSuccess_RetriesUntilItSucceeds()
    {
        var attempts = 0;

        var result = await S3Retry.RunAsync(
            Options(s_bound),
            _ => ++attempts < 3 ? throw new S3TransientResponseException("short") : Task.FromResult(42),
            Deadline,
            CancellationToken.None).WaitAsync(s_bound);

        Assert.AreEqual(42, result);
        Assert.AreEqual(3, attempts);
    }

    [TestMethod]
    public async Task RunAsync_NotTransient_ThrowsAtOnce()
    {
        var attempts = 0;

        await Assert.ThrowsExactlyAsync<FileNotFoundException>(() => S3Retry.RunAsync<int>(
            Options(s_bound),
            _ =>
            {
                attempts++;
                throw new FileNotFoundException("gone");
            },
            Deadline,
            CancellationToken.None).WaitAsync(s_bound));

        Assert.AreEqual(1, attempts);
    }

    [TestMethod]
    public async Task RunAsync_AlwaysTransient_ThrowsTheDeadlineExceptionWithTheLastFailure()
    {
        var attempts = 0;

        var e = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => S3Retry.RunAsync<int>(
            Options(TimeSpan.FromMilliseconds(300)),
            _ => throw new HttpRequestException($"refused {++attempts}"),
            Deadline,
            CancellationToken.None).WaitAsync(s_bound));

        Assert.IsGreaterThan(1, attempts);
        Assert.AreEqual($"refused {attempts}", e.InnerException?.Message);
        Assert.AreEqual($"{attempts} attempts", e.Message);
    }

    [TestMethod]
    public async Task RunAsync_NextWaitReachesPastTheDeadline_GivesUpAtTheDeadlineWithTheLastRealFailure()
    {
        // Repeated because a retry left with a sliver of time before the deadline used to make an attempt that was cut at once,
        // whose cancellation then replaced the real failure in the deadline exception; whether the sliver is there depends on timers.
        for (var run = 0; run < 20; run++)
        {
            var attempts = 0;
            var options = new S3StorageOptions
            {
                RetryDeadline = TimeSpan.FromMilliseconds(50),
                AttemptTimeout = TimeSpan.FromSeconds(10),
                InitialRetryDelay = TimeSpan.FromSeconds(10),
                MaxRetryDelay = TimeSpan.FromSeconds(10),
            };

            var e = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => S3Retry.RunAsync<int>(
                options,
                async token =>
                {
                    attempts++;
                    await Task.Delay(5, token);
                    throw new HttpRequestException("refused");
                },
                Deadline,
                CancellationToken.None).WaitAsync(s_bound));

            Assert.AreEqual(1, attempts, $"run {run}: an attempt was made after the last wait reached the deadline");
            Assert.IsInstanceOfType<HttpRequestException>(e.InnerException, $"run {run}");
        }
    }

    [TestMethod]
    public async Task RunAsync_AttemptHangs_CancelledAtAttemptTimeoutAndRetried()
    {
        var attempts = 0;

        var result = await S3Retry.RunAsync(
            Options(s_bound, attemptTimeout: TimeSpan.FromMilliseconds(200)),
            async token =>
            {
                if (++attempts == 1)
                {
                    await Task.Delay(Timeout.Infinite, token);
                }

                return attempts;
            },
            Deadline,
            CancellationToken.None).WaitAsync(s_bound);

        Assert.AreEqual(2, result);
    }

    [TestMethod]
    public async Task RunAsync_CallerCancels_ThrowsOperationCanceledWithoutRetry()
    {
        using var cts = new CancellationTokenSource();
        var attempts = 0;

        await Assert.ThrowsAsync<OperationCanceledException>(() => S3Retry.RunAsync<int>(
            Options(s_bound),
            async token =>
            {
                attempts++;
                await cts.CancelAsync();
                token.ThrowIfCancellationRequested();
                return 0;
            },
            Deadline,
            cts.Token).WaitAsync(s_bound));

        Assert.AreEqual(1, attempts);
    }

    [TestMethod]
    [DataRow(HttpStatusCode.InternalServerError, true)]
    [DataRow(HttpStatusCode.ServiceUnavailable, true)]
    [DataRow(HttpStatusCode.TooManyRequests, true)]
    [DataRow(HttpStatusCode.Forbidden, false)]
    [DataRow(HttpStatusCode.NotFound, false)]
    [DataRow(HttpStatusCode.PreconditionFailed, false)]
    public void IsTransient_ServiceErrors_ByStatus(HttpStatusCode status, bool expected)
    {
        Assert.AreEqual(expected, S3Retry.IsTransient(new AmazonS3Exception("x") { StatusCode = status }));
    }

    [TestMethod]
    public void IsTransient_OtherFailures_NetworkAndTimeoutsOnly()
    {
        Assert.IsTrue(S3Retry.IsTransient(new HttpRequestException("refused")));
        Assert.IsTrue(S3Retry.IsTransient(new IOException("reset")));
        Assert.IsTrue(S3Retry.IsTransient(new TaskCanceledException()));
        Assert.IsTrue(S3Retry.IsTransient(new AmazonS3Exception("wrapped", new HttpRequestException("refused"))));
        Assert.IsFalse(S3Retry.IsTransient(new InvalidDataException("changed")));
        Assert.IsFalse(S3Retry.IsTransient(new S3DeadlineExceededException("late")));
        Assert.IsFalse(S3Retry.IsTransient(new ArgumentException("bad")));
    }
}
