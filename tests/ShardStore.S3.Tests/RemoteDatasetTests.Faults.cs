using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class RemoteDatasetTests
{
    private const int FaultSamples = 300;
    private static readonly TimeSpan s_bound = TimeSpan.FromMinutes(2);

    [TestMethod]
    public async Task ReadChunk_ShardObjectReplacedWhileOpen_ThrowsInvalidDataNamingShardAndChunk()
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        using var remote = s3.OpenRemote();
        var name = remote.Shards[1].FileName;

        // Same length, one byte different: only the object's version tells the two apart.
        var bytes = await File.ReadAllBytesAsync(Path.Combine(s3.LocalPath, name));
        bytes[bytes.Length / 2] ^= 0x5A;
        await s3.PutAsync(name, bytes);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => remote.ReadChunk(1, 0).Dispose());

        StringAssert.Contains(e.Message, "replaced or modified while it was open");
        StringAssert.Contains(e.Message, s3.Uri(name));
        Assert.AreEqual(1, e.Data[DataErrors.ShardKey], "shard");
        Assert.AreEqual(0L, e.Data[DataErrors.ChunkKey], "chunk");
        Assert.AreEqual(s3.Uri(name), e.Data[DataErrors.FileKey], "file");
        using var other = remote.ReadChunk(0, 0);
        Assert.IsGreaterThan(0, other.SampleCount, "a shard not replaced still reads");
    }

    [TestMethod]
    public async Task NextBatch_ShardObjectsReplacedWhileLoading_ThrowsInvalidDataNamingTheShardAfterIntactBatches()
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        using var remote = s3.OpenRemote();
        var options = RemoteLoaderOptions();
        List<RecordedBatch> expected;
        using (var local = s3.OpenLocal())
        {
            expected = LoaderRuns.Run(local, options);
        }

        var delivered = new List<RecordedBatch>();
        InvalidDataException e;
        using (var loader = ShardLoader.Create(remote, options))
        {
            await Task.Run(() => LoaderRuns.Drain(loader, 1, delivered)).WaitAsync(s_bound);
            foreach (var shard in remote.Shards)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(s3.LocalPath, shard.FileName));
                bytes[^1] ^= 0x5A;
                await s3.PutAsync(shard.FileName, bytes);
            }

            e = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => Task.Run(() => LoaderRuns.Drain(loader, into: delivered, check: TestDatasets.AssertMixedValues)).WaitAsync(s_bound));
        }

        StringAssert.Contains(e.Message, "replaced or modified while it was open");
        var shardIndex = Assert.IsInstanceOfType<int>(e.Data[DataErrors.ShardKey], "the error names the shard");
        StringAssert.Contains(e.Message, s3.Uri(remote.Shards[shardIndex].FileName));
        Assert.IsNotNull(e.Data[DataErrors.ChunkKey], "the error names the chunk");
        LoaderRuns.AssertSameBatches(expected[..delivered.Count], delivered, "before the failure");
        Assert.AreEqual(0L, remote.LiveLeases, "leases after the failed loader was disposed");
    }

    [TestMethod]
    public async Task Open_ShardObjectMissing_ThrowsInvalidDataNamingIt()
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        string name;
        using (var local = s3.OpenLocal())
        {
            name = local.Shards[2].FileName;
        }

        await s3.DeleteAsync(name);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => s3.OpenRemote().Dispose());

        StringAssert.Contains(e.Message, s3.Uri(name));
        StringAssert.Contains(e.Message, "missing");
        Assert.AreEqual(2, e.Data[DataErrors.ShardKey], "shard");
    }

    [TestMethod]
    public async Task Open_ServerDownPastTheDeadline_ThrowsDeadlineExceededNamingTheManifest()
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        s3.Server.Stop();

        var e = Assert.ThrowsExactly<S3DeadlineExceededException>(() => s3.OpenRemote(retryDeadline: TimeSpan.FromSeconds(2), attemptTimeout: TimeSpan.FromSeconds(1)).Dispose());

        Assert.AreEqual(s3.Uri("manifest.json"), e.ObjectUri);
        StringAssert.Contains(e.Message, s3.Uri("manifest.json"));
    }

    [TestMethod]
    public async Task Open_ManifestMissing_ThrowsInvalidDataNamingTheManifestUri()
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        await s3.DeleteAsync("manifest.json");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => s3.OpenRemote().Dispose());

        StringAssert.Contains(e.Message, s3.Uri("manifest.json"));
        StringAssert.Contains(e.Message, "no manifest");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public async Task ReadChunk_BodyCorruptedOnTheWay_FetchedAgainAndReturnsTheChunkOnDisk(int corruptions)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples), proxy: true);
        var proxy = s3.Proxy!;
        using var local = s3.OpenLocal();
        using var remote = s3.OpenRemote();
        var key = s3.Key(remote.Shards[1].FileName);
        proxy.ClearRequests();
        proxy.Inject(ProxyFault.Corrupted(bodyOffset: 5), corruptions, (method, target) => method == "GET" && target.Contains(key, StringComparison.Ordinal));

        using var expected = local.ReadChunk(1, 1);
        using var actual = remote.ReadChunk(1, 1);

        Assert.AreEqual(corruptions, proxy.Applied, "corrupted responses served");
        Assert.AreEqual(corruptions + 1, proxy.Requests.Count(r => r.IsFor(s3.Bucket, key)), "GETs of the chunk: each corrupted one, then an intact one");
        CollectionAssert.AreEqual(expected.RawBytes.ToArray(), actual.RawBytes.ToArray(), "chunk bytes");
    }

    [TestMethod]
    public async Task ReadChunk_BodyCorruptedOnEveryFetch_ThrowsInvalidDataNamingObjectShardAndChunk()
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples), proxy: true);
        var proxy = s3.Proxy!;
        using var remote = s3.OpenRemote();
        var name = remote.Shards[1].FileName;
        proxy.ClearRequests();
        proxy.Inject(ProxyFault.Corrupted(bodyOffset: 5), int.MaxValue, (method, target) => method == "GET" && target.Contains(s3.Key(name), StringComparison.Ordinal));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => remote.ReadChunk(1, 1).Dispose());

        Assert.AreEqual(3, proxy.Applied, "the chunk was fetched three times (two refetches) before the error");
        StringAssert.Contains(e.Message, s3.Uri(name));
        Assert.AreEqual(s3.Uri(name), e.Data[DataErrors.FileKey], "file");
        Assert.AreEqual(1, e.Data[DataErrors.ShardKey], "shard");
        Assert.AreEqual(1L, e.Data[DataErrors.ChunkKey], "chunk");
        Assert.AreEqual(0L, remote.LiveLeases, "leases after the failed read");
    }

    private static ShardLoaderOptions RemoteLoaderOptions() => LoaderRuns.Options(SampleOrder.Window);
}
