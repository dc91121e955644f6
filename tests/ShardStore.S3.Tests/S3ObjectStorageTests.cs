using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.S3.Tests.Infrastructure;
using ShardStore.Storage;

namespace ShardStore.S3.Tests;

[TestClass]
public sealed class S3ObjectStorageTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string NewBucket() => "storage-" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<byte[]> ReadAsync(S3ObjectStorage storage, string name, ObjectVersion version, long offset, int count)
    {
        var buffer = new byte[count];
        await storage.ReadAsync(name, version, offset, buffer).AsTask().WaitAsync(s_bound);
        return buffer;
    }

    [TestMethod]
    public async Task GetVersionAsync_Object_ReturnsItsLengthAndETag()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "ds/shards/0.shard", Content(5000, seed: 1), createBucket: true);
        using var storage = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}/ds"), server.Options()));

        var version = await storage.GetVersionAsync("shards/0.shard").WaitAsync(s_bound);

        var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "ds/shards/0.shard" }).WaitAsync(s_bound);
        Assert.AreEqual(5000L, version.Length);
        Assert.AreEqual(head.ETag, version.Tag);
        Assert.AreEqual($"s3://{bucket}/ds", storage.Location);
        Assert.AreEqual($"s3://{bucket}/ds/shards/0.shard", storage.GetUri("shards/0.shard"));
    }

    [TestMethod]
    public async Task ReadAsync_Ranges_EqualExactlyTheUploadedBytes()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        var content = Content(100_003, seed: 2);
        await MotoServer.PutAsync(client, bucket, "obj", content, createBucket: true);
        using var storage = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}"), server.Options()));
        var version = await storage.GetVersionAsync("obj").WaitAsync(s_bound);

        foreach (var (offset, count) in new[] { (0, 1), (0, 4096), (50_000, 7777), (content.Length - 3, 3), (content.Length - 1, 1), (0, content.Length) })
        {
            var read = await ReadAsync(storage, "obj", version, offset, count);
            CollectionAssert.AreEqual(content.AsSpan(offset, count).ToArray(), read, $"bytes {offset}-{offset + count - 1}");
        }

        await storage.ReadAsync("obj", version, content.Length, Memory<byte>.Empty).AsTask().WaitAsync(s_bound);
        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => ReadAsync(storage, "obj", version, content.Length - 10, 11));
    }

    [TestMethod]
    public async Task ReadAsync_ParallelReads_EachReturnsItsOwnRange()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        var content = Content(256 * 1024, seed: 3);
        await MotoServer.PutAsync(client, bucket, "obj", content, createBucket: true);
        using var storage = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}"), server.Options()));
        var version = await storage.GetVersionAsync("obj").WaitAsync(s_bound);

        var ranges = Enumerable.Range(0, 32).Select(i => (Offset: i * 8000L, Count: 1000 + (i * 97))).ToArray();
        var buffers = ranges.Select(r => new byte[r.Count]).ToArray();
        await Task.WhenAll(ranges.Select((r, i) => storage.ReadAsync("obj", version, r.Offset, buffers[i]).AsTask())).WaitAsync(s_bound);

        for (var i = 0; i < ranges.Length; i++)
        {
            CollectionAssert.AreEqual(content.AsSpan((int)ranges[i].Offset, ranges[i].Count).ToArray(), buffers[i], $"read {i}");
        }
    }

    [TestMethod]
    public async Task GetVersionAsync_MissingObjectOrBucket_ThrowsFileNotFoundNamingIt()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "ds/present", [1, 2, 3], createBucket: true);
        using var storage = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}/ds"), server.Options()));
        using var noBucket = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse("s3://no-such-bucket-here/ds"), server.Options()));

        var missing = await Assert.ThrowsExactlyAsync<FileNotFoundException>(() => storage.GetVersionAsync("manifest.json").WaitAsync(s_bound));
        var missingBucket = await Assert.ThrowsExactlyAsync<FileNotFoundException>(() => noBucket.GetVersionAsync("manifest.json").WaitAsync(s_bound));

        StringAssert.Contains(missing.Message, $"s3://{bucket}/ds/manifest.json");
        Assert.AreEqual($"s3://{bucket}/ds/manifest.json", missing.FileName);
        StringAssert.Contains(missingBucket.Message, "s3://no-such-bucket-here/ds/manifest.json");
    }

    [TestMethod]
    public async Task ReadAsync_ObjectReplacedSinceVersion_ThrowsInvalidDataNamingObjectAndRange()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "ds/shards/0.shard", Content(4096, seed: 4), createBucket: true);
        using var storage = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}/ds"), server.Options()));
        var version = await storage.GetVersionAsync("shards/0.shard").WaitAsync(s_bound);
        await MotoServer.PutAsync(client, bucket, "ds/shards/0.shard", Content(4096, seed: 5), createBucket: false);

        var e = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => ReadAsync(storage, "shards/0.shard", version, 100, 50));

        StringAssert.Contains(e.Message, $"s3://{bucket}/ds/shards/0.shard");
        StringAssert.Contains(e.Message, "bytes 100-149");
        StringAssert.Contains(e.Message, "changed");
        Assert.AreEqual($"s3://{bucket}/ds/shards/0.shard", e.Data[DataErrors.FileKey]);
        var current = await storage.GetVersionAsync("shards/0.shard").WaitAsync(s_bound);
        Assert.AreNotEqual(version.Tag, current.Tag, "the new version has another tag");
        CollectionAssert.AreEqual(Content(4096, seed: 5)[100..150], await ReadAsync(storage, "shards/0.shard", current, 100, 50));
    }

    [TestMethod]
    public async Task ReadAsync_ObjectDeletedSinceVersion_ThrowsInvalidDataNamingObject()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "obj", Content(100, seed: 6), createBucket: true);
        using var storage = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}"), server.Options()));
        var version = await storage.GetVersionAsync("obj").WaitAsync(s_bound);
        await client.DeleteObjectAsync(bucket, "obj").WaitAsync(s_bound);

        var e = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => ReadAsync(storage, "obj", version, 0, 10));

        StringAssert.Contains(e.Message, $"s3://{bucket}/obj");
        StringAssert.Contains(e.Message, "deleted");
    }

    [TestMethod]
    public async Task ReadAsync_ServerDownPastDeadline_ThrowsDeadlineExceededNamingObjectAndRange()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "ds/obj", Content(1000, seed: 7), createBucket: true);
        var options = server.Options(retryDeadline: TimeSpan.FromSeconds(2), attemptTimeout: TimeSpan.FromSeconds(1));
        using var storage = new S3ObjectStorage(new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}/ds"), options));
        var version = await storage.GetVersionAsync("obj").WaitAsync(s_bound);

        server.Stop();
        var read = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => ReadAsync(storage, "obj", version, 10, 20));
        var head = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => storage.GetVersionAsync("obj").WaitAsync(s_bound));

        Assert.AreEqual($"s3://{bucket}/ds/obj", read.ObjectUri);
        Assert.AreEqual(10L, read.Offset);
        Assert.AreEqual(20L, read.Count);
        StringAssert.Contains(read.Message, "bytes 10-29");
        Assert.AreEqual($"s3://{bucket}/ds/obj", head.ObjectUri);
    }

    [TestMethod]
    public async Task ReadAsync_BodyCutShort_RetriesAndReturnsTheExactBytes()
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(64 * 1024, seed: 8));
        using var storage = new S3ObjectStorage(new S3ObjectStore(s3.Client, S3Location.Parse($"s3://{s3.Reader.Bucket}/shards"), s3.Options));
        var version = await storage.GetVersionAsync("0.shard").WaitAsync(s_bound);
        s3.Proxy.Inject(ProxyFault.Truncated(bodyBytes: 100), times: 2);

        var read = await ReadAsync(storage, "0.shard", version, 1000, 20_000);

        Assert.AreEqual(2, s3.Proxy.Applied, "both cut responses were served");
        CollectionAssert.AreEqual(s3.Expected(1000, 20_000), read);
    }

    [TestMethod]
    public async Task ReadAsync_AccessDenied_ThrowsUnauthorizedAccessNamingObjectAndRange()
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(1000, seed: 9));
        using var storage = new S3ObjectStorage(new S3ObjectStore(s3.Client, S3Location.Parse($"s3://{s3.Reader.Bucket}/shards"), s3.Options));
        var version = await storage.GetVersionAsync("0.shard").WaitAsync(s_bound);
        s3.Proxy.Inject(ProxyFault.Answer(HttpStatusCode.Forbidden), times: 1);

        var e = await Assert.ThrowsExactlyAsync<UnauthorizedAccessException>(() => ReadAsync(storage, "0.shard", version, 10, 20));

        Assert.AreEqual(1, s3.Proxy.Applied, "a refusal is not retried");
        StringAssert.Contains(e.Message, $"s3://{s3.Reader.Bucket}/shards/0.shard");
        StringAssert.Contains(e.Message, "bytes 10-29");
        Assert.IsInstanceOfType<AmazonS3Exception>(e.InnerException);
    }

    [TestMethod]
    public async Task GetVersionAsync_RequestRefused_ThrowsIOExceptionNamingObject()
    {
        using var s3 = await ProxiedObject.OpenAsync(Content(1000, seed: 10));
        using var storage = new S3ObjectStorage(new S3ObjectStore(s3.Client, S3Location.Parse($"s3://{s3.Reader.Bucket}/shards"), s3.Options));
        s3.Proxy.Inject(ProxyFault.Answer(HttpStatusCode.BadRequest), times: 1, (method, _) => method == "HEAD");

        var e = await Assert.ThrowsExactlyAsync<IOException>(() => storage.GetVersionAsync("0.shard").WaitAsync(s_bound));

        StringAssert.Contains(e.Message, $"s3://{s3.Reader.Bucket}/shards/0.shard");
        StringAssert.Contains(e.Message, "400");
    }

    [TestMethod]
    public async Task Dispose_OwnedStore_DisposesTheClientOtherwiseLeavesIt()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = NewBucket();
        await MotoServer.PutAsync(client, bucket, "obj", [1, 2, 3], createBucket: true);
        var location = S3Location.Parse($"s3://{bucket}");

        var borrowed = new S3ObjectStorage(new S3ObjectStore(client, location, server.Options()));
        borrowed.Dispose();
        borrowed.Dispose();
        var stillUsable = await new S3ObjectStorage(new S3ObjectStore(client, location, server.Options())).GetVersionAsync("obj").WaitAsync(s_bound);

        var owned = new S3ObjectStorage(S3ObjectStore.Create(location.ToString(), server.Options()), ownsStore: true);
        Assert.AreEqual(3L, (await owned.GetVersionAsync("obj").WaitAsync(s_bound)).Length);
        owned.Dispose();
        owned.Dispose();

        Assert.AreEqual(3L, stillUsable.Length);
        await Assert.ThrowsExactlyAsync<ObjectDisposedException>(() => owned.GetVersionAsync("obj").WaitAsync(s_bound));
    }
}
