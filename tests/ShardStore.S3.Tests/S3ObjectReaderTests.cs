using Amazon.S3;
using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

[TestClass]
public sealed partial class S3ObjectReaderTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string NewBucket() => "test-" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<byte[]> ReadAsync(S3ObjectReader reader, long offset, int count)
    {
        var buffer = new byte[count];
        await reader.ReadAsync(offset, buffer).AsTask().WaitAsync(s_bound);
        return buffer;
    }

    [TestMethod]
    public async Task ReadAsync_Ranges_EqualTheUploadedBytes()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        var content = Content(100_003, seed: 1);
        await MotoServer.PutAsync(client, bucket, "data/obj.bin", content, createBucket: true);

        var reader = await S3ObjectReader.OpenAsync(client, bucket, "data/obj.bin", server.Options()).WaitAsync(s_bound);

        Assert.AreEqual(content.Length, reader.Length);
        Assert.AreEqual($"s3://{bucket}/data/obj.bin", reader.Uri);
        Assert.IsFalse(string.IsNullOrEmpty(reader.ETag));
        foreach (var (offset, count) in new[] { (0, 1), (0, 4096), (50_000, 7777), (content.Length - 3, 3), (content.Length - 1, 1), (0, content.Length) })
        {
            var read = await ReadAsync(reader, offset, count);
            CollectionAssert.AreEqual(content.AsSpan(offset, count).ToArray(), read, $"bytes {offset}-{offset + count - 1}");
        }
    }

    [TestMethod]
    public async Task ReadAsync_ZeroLengthObject_OpensAndReadsNothing()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "empty", [], createBucket: true);

        var reader = await S3ObjectReader.OpenAsync(client, bucket, "empty", server.Options()).WaitAsync(s_bound);
        await reader.ReadAsync(0, Memory<byte>.Empty).AsTask().WaitAsync(s_bound);

        Assert.AreEqual(0, reader.Length);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => reader.ReadAsync(0, new byte[1]).AsTask().GetAwaiter().GetResult());
    }

    [TestMethod]
    public async Task ReadAsync_PastTheEnd_ThrowsArgumentOutOfRangeNamingObjectAndRange()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "obj", Content(1000, seed: 2), createBucket: true);
        var reader = await S3ObjectReader.OpenAsync(client, bucket, "obj", server.Options()).WaitAsync(s_bound);

        var e = await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => reader.ReadAsync(990, new byte[11]).AsTask());
        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => reader.ReadAsync(1001, Memory<byte>.Empty).AsTask());
        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => reader.ReadAsync(-1, new byte[1]).AsTask());

        StringAssert.Contains(e.Message, $"s3://{bucket}/obj");
        StringAssert.Contains(e.Message, "bytes 990-1000");
        CollectionAssert.AreEqual(Content(1000, seed: 2)[990..], await ReadAsync(reader, 990, 10));
    }

    [TestMethod]
    public async Task OpenAsync_MissingObject_ThrowsFileNotFoundNamingIt()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "present", [1, 2, 3], createBucket: true);

        var e = await Assert.ThrowsExactlyAsync<FileNotFoundException>(() => S3ObjectReader.OpenAsync(client, bucket, "absent", server.Options()).WaitAsync(s_bound));

        StringAssert.Contains(e.Message, $"s3://{bucket}/absent");
    }

    [TestMethod]
    public async Task ReadAsync_ObjectOverwrittenAfterOpen_ThrowsInvalidDataNamingObjectAndRange()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "shards/0.shard", Content(4096, seed: 3), createBucket: true);
        var reader = await S3ObjectReader.OpenAsync(client, bucket, "shards/0.shard", server.Options()).WaitAsync(s_bound);
        await MotoServer.PutAsync(client, bucket, "shards/0.shard", Content(4096, seed: 4), createBucket: false);

        var e = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => ReadAsync(reader, 100, 50));

        StringAssert.Contains(e.Message, $"s3://{bucket}/shards/0.shard");
        StringAssert.Contains(e.Message, "bytes 100-149");
        StringAssert.Contains(e.Message, "changed");
        Assert.AreEqual($"s3://{bucket}/shards/0.shard", e.Data[DataErrors.FileKey]);
        Assert.AreEqual(100L, e.Data[DataErrors.ByteOffsetKey]);
    }

    [TestMethod]
    public async Task ReadAsync_ObjectDeletedAfterOpen_ThrowsInvalidData()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "obj", Content(100, seed: 5), createBucket: true);
        var reader = await S3ObjectReader.OpenAsync(client, bucket, "obj", server.Options()).WaitAsync(s_bound);
        await client.DeleteObjectAsync(bucket, "obj");

        var e = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => ReadAsync(reader, 0, 100));

        StringAssert.Contains(e.Message, "deleted");
        StringAssert.Contains(e.Message, "bytes 0-99");
    }
}
