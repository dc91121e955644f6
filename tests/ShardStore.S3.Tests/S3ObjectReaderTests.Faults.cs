using System.Diagnostics;
using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class S3ObjectReaderTests
{
    [TestMethod]
    public async Task ReadAsync_ServerRestartedWithinDeadline_Succeeds()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        var content = Content(64 * 1024, seed: 6);
        await MotoServer.PutAsync(client, bucket, "obj", content, createBucket: true);
        var reader = await S3ObjectReader.OpenAsync(client, bucket, "obj", server.Options(retryDeadline: TimeSpan.FromSeconds(60))).WaitAsync(s_bound);

        server.Stop();
        var buffer = new byte[10_000];
        var read = reader.ReadAsync(1234, buffer).AsTask();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.IsFalse(read.IsCompleted, "the read finished while the server was down");

        // moto keeps objects in memory: the same bytes put back give the same ETag, as a storage that came back would.
        await server.RestartAsync(direct => MotoServer.PutAsync(direct, bucket, "obj", content, createBucket: true)).WaitAsync(s_bound);
        await read.WaitAsync(s_bound);

        CollectionAssert.AreEqual(content.AsSpan(1234, 10_000).ToArray(), buffer);
    }

    [TestMethod]
    public async Task ReadAsync_ServerDownPastDeadline_ThrowsDeadlineExceededNamingObjectAndRange()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "obj", Content(1000, seed: 7), createBucket: true);
        var deadline = TimeSpan.FromSeconds(2);
        var reader = await S3ObjectReader.OpenAsync(client, bucket, "obj", server.Options(deadline, attemptTimeout: TimeSpan.FromSeconds(1))).WaitAsync(s_bound);

        server.Stop();
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => ReadAsync(reader, 10, 20));

        Assert.AreEqual($"s3://{bucket}/obj", e.ObjectUri);
        Assert.AreEqual(10L, e.Offset);
        Assert.AreEqual(20L, e.Count);
        StringAssert.Contains(e.Message, "bytes 10-29");
        Assert.IsNotNull(e.InnerException, "the last failure is kept");
        Assert.IsGreaterThanOrEqualTo(deadline - TimeSpan.FromMilliseconds(50), watch.Elapsed, "gave up before the deadline");
    }

    [TestMethod]
    public async Task OpenAsync_ServerDownPastDeadline_ThrowsDeadlineExceeded()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        server.Stop();

        var e = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(
            () => S3ObjectReader.OpenAsync(client, "some-bucket", "obj", server.Options(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500))).WaitAsync(s_bound));

        Assert.AreEqual("s3://some-bucket/obj", e.ObjectUri);
        Assert.IsNull(e.Offset);
    }
}
