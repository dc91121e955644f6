using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

[TestClass]
public sealed class S3ObjectStoreTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    [TestMethod]
    public async Task ListAsync_ObjectsUnderPrefix_NamesRelativeToLocation()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = "list-" + Guid.NewGuid().ToString("N")[..12];
        await MotoServer.PutAsync(client, bucket, "ds/manifest.json", [1], createBucket: true);
        await MotoServer.PutAsync(client, bucket, "ds/shards/0.shard", [2], createBucket: false);
        await MotoServer.PutAsync(client, bucket, "ds/shards/1.shard", [3], createBucket: false);
        await MotoServer.PutAsync(client, bucket, "other/x", [4], createBucket: false);
        using var store = new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}/ds"), server.Options());

        var all = await store.ListAsync().ToListAsync().AsTask().WaitAsync(s_bound);
        var shards = await store.ListAsync("shards/").ToListAsync().AsTask().WaitAsync(s_bound);

        CollectionAssert.AreEqual(new[] { "manifest.json", "shards/0.shard", "shards/1.shard" }, all);
        CollectionAssert.AreEqual(new[] { "shards/0.shard", "shards/1.shard" }, shards);
    }

    [TestMethod]
    public async Task OpenAsync_NameUnderPrefix_ReadsThatObject()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = "open-" + Guid.NewGuid().ToString("N")[..12];
        await MotoServer.PutAsync(client, bucket, "ds/manifest.json", [10, 20, 30], createBucket: true);
        using var store = new S3ObjectStore(client, S3Location.Parse($"s3://{bucket}/ds/"), server.Options());

        var reader = await store.OpenAsync("manifest.json").WaitAsync(s_bound);
        var buffer = new byte[2];
        await reader.ReadAsync(1, buffer).AsTask().WaitAsync(s_bound);

        Assert.AreEqual("ds/manifest.json", reader.Key);
        CollectionAssert.AreEqual(new byte[] { 20, 30 }, buffer);
    }
}
