using System.Net;
using Amazon.S3;
using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class S3ObjectReaderTests
{
    [TestMethod]
    public async Task ReadAsync_BodyCutShort_RetriesAndReturnsTheExactBytes()
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 11));
        s3.Proxy.Inject(ProxyFault.Truncated(bodyBytes: 100), times: 2);

        var read = await ReadAsync(s3.Reader, 1000, 20_000);

        Assert.AreEqual(2, s3.Proxy.Applied, "both cut responses were served");
        CollectionAssert.AreEqual(s3.Expected(1000, 20_000), read);
    }

    [TestMethod]
    public async Task ReadAsync_ResponseDelayedPastTheAttemptTimeout_RetriesAndReturnsTheExactBytes()
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 11), attemptTimeout: TimeSpan.FromSeconds(1));
        s3.Proxy.Inject(ProxyFault.Delayed(TimeSpan.FromSeconds(5)), times: 1);

        var read = await ReadAsync(s3.Reader, 5, 4096);

        Assert.AreEqual(1, s3.Proxy.Applied);
        CollectionAssert.AreEqual(s3.Expected(5, 4096), read);
    }

    [TestMethod]
    public async Task ReadAsync_BodyStallsMidway_AbandonedAtTheAttemptTimeoutAndRetried()
    {
        // The stall outlasts the test's bound: only a reader that gives up on the silent body at its attempt timeout finishes in time.
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 11), attemptTimeout: TimeSpan.FromSeconds(1));
        s3.Proxy.Inject(ProxyFault.Stalled(bodyBytes: 1000, TimeSpan.FromMinutes(10)), times: 1);

        var read = await ReadAsync(s3.Reader, 0, 30_000);

        Assert.AreEqual(1, s3.Proxy.Applied);
        CollectionAssert.AreEqual(s3.Expected(0, 30_000), read);
    }

    [TestMethod]
    [DataRow(HttpStatusCode.ServiceUnavailable)]
    [DataRow(HttpStatusCode.InternalServerError)]
    [DataRow(HttpStatusCode.TooManyRequests)]
    public async Task ReadAsync_ServerErrorsAFewTimes_RetriesAndReturnsTheExactBytes(HttpStatusCode status)
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 11));
        s3.Proxy.Inject(ProxyFault.Answer(status), times: 3);

        var read = await ReadAsync(s3.Reader, 30_000, 10_000);

        Assert.AreEqual(3, s3.Proxy.Applied);
        CollectionAssert.AreEqual(s3.Expected(30_000, 10_000), read);
    }

    [TestMethod]
    public async Task ReadAsync_ServerErrorsPastTheDeadline_ThrowsDeadlineExceededNamingObjectAndRange()
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 11), retryDeadline: TimeSpan.FromSeconds(2), attemptTimeout: TimeSpan.FromSeconds(1));
        s3.Proxy.Inject(ProxyFault.Answer(HttpStatusCode.ServiceUnavailable), times: int.MaxValue);

        var e = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => ReadAsync(s3.Reader, 100, 50));

        Assert.AreEqual(s3.Reader.Uri, e.ObjectUri);
        Assert.AreEqual(100L, e.Offset);
        Assert.AreEqual(50L, e.Count);
        StringAssert.Contains(e.Message, s3.Reader.Uri);
        StringAssert.Contains(e.Message, "bytes 100-149");
        // The inner exception is the last attempt's failure: the 503, or, when the deadline fell while an attempt was on
        // its way (a loaded machine answers slowly), that attempt's cancellation.
        if (e.InnerException is not OperationCanceledException)
        {
            Assert.AreEqual(HttpStatusCode.ServiceUnavailable, Assert.IsInstanceOfType<AmazonS3Exception>(e.InnerException).StatusCode);
        }

        Assert.IsGreaterThan(1, s3.Proxy.Applied, "retried before giving up");
    }

    [TestMethod]
    public async Task ReadAsync_EveryResponseDelayedPastTheDeadline_ThrowsDeadlineExceededNamingObjectAndRange()
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 11), retryDeadline: TimeSpan.FromSeconds(2), attemptTimeout: TimeSpan.FromMilliseconds(500));
        s3.Proxy.Inject(ProxyFault.Delayed(TimeSpan.FromSeconds(30)), times: int.MaxValue);

        var e = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => ReadAsync(s3.Reader, 0, 10));

        Assert.AreEqual(s3.Reader.Uri, e.ObjectUri);
        StringAssert.Contains(e.Message, "bytes 0-9");
        Assert.IsNotNull(e.InnerException, "the last failure is kept");
    }

    [TestMethod]
    public async Task ReadAsync_BodyCorruptedOnTheWay_ReturnsTheBytesAsReceived()
    {
        // A ranged GET carries no checksum: the reader cannot tell, and returns what came. The chunk checksums above it catch this.
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 11));
        s3.Proxy.Inject(ProxyFault.Corrupted(bodyOffset: 7), times: 1);

        var corrupted = await ReadAsync(s3.Reader, 2000, 64);
        var clean = await ReadAsync(s3.Reader, 2000, 64);

        var expected = s3.Expected(2000, 64);
        CollectionAssert.AreEqual(expected, clean);
        expected[7] ^= 0xFF;
        CollectionAssert.AreEqual(expected, corrupted);
        Assert.AreEqual(1, s3.Proxy.Applied);
    }
}
