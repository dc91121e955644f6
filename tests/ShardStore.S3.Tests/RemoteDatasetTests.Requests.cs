using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class RemoteDatasetTests
{
    [TestMethod]
    public async Task Open_ManyShards_AtMostThreeRequestsPerShardAndTwoForTheManifest()
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, 600, shardBytes: 4 << 10), proxy: true);
        var proxy = s3.Proxy!;
        proxy.ClearRequests();

        using var remote = s3.OpenRemote();

        var requests = proxy.Requests;
        var shards = remote.Shards.Count;
        Assert.IsGreaterThan(10, shards, "the dataset has many shards");
        Assert.IsLessThanOrEqualTo(2, requests.Count(r => r.IsFor(s3.Bucket, s3.Key("manifest.json"))), "requests for the manifest");
        foreach (var shard in remote.Shards)
        {
            var count = requests.Count(r => r.IsFor(s3.Bucket, s3.Key(shard.FileName)));
            Assert.IsLessThanOrEqualTo(3, count, $"requests for {shard.FileName}");
            Assert.IsGreaterThan(0, count, $"requests for {shard.FileName}");
        }

        Assert.IsLessThanOrEqualTo((3 * shards) + 2, requests.Count, $"requests to open {shards} shards: {string.Join(", ", requests.Select(r => $"{r.Method} {r.Target} {r.Range}"))}");
    }
}
