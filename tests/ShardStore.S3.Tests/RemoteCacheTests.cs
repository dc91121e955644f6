using ShardStore.S3.Tests.Infrastructure;
using ShardStore.Storage;

namespace ShardStore.S3.Tests;

/// <summary>
/// A dataset in an S3 API server read through a node-local chunk cache (<see cref="ShardDatasetOptions.Cache"/>):
/// what is fetched from the store and what is read from the cache, across epochs, restarts, a corrupted entry, a
/// cache smaller than the dataset, and two processes sharing one cache directory. The batches are always the local copy's.
/// </summary>
[TestClass]
public sealed partial class RemoteCacheTests
{
    private const int LoaderSamples = 600;
    private static readonly TimeSpan s_bound = TimeSpan.FromMinutes(2);

    // One copy shared by the tests; tests of one class run one at a time, and each has a cache directory of its own.
    private static readonly SemaphoreSlim s_sharedGate = new(1, 1);
    private static RemoteDataset? s_shared;

    public TestContext TestContext { get; set; } = null!;

    [ClassCleanup]
    public static void Cleanup() => s_shared?.Dispose();

    [TestMethod]
    public async Task NextBatch_CacheHoldsTheDataset_LaterEpochsFetchNothing()
    {
        var s3 = await SharedAsync();
        using var dir = new TempDirectory();
        var cache = dir.Combine("cache");
        var options = LoaderRuns.Options(SampleOrder.Window) with { Epochs = 3 };
        List<RecordedBatch> expected;
        using (var local = s3.OpenLocal())
        {
            expected = LoaderRuns.Run(local, options);
        }

        using var remote = OpenCached(s3, cache, 64 << 20);
        var stored = remote.Shards.Sum(s => s.StoredBytes);
        RemoteReadStatistics? atSecondEpoch = null;
        var actual = await Task.Run(() =>
        {
            using var loader = ShardLoader.Create(remote, options);
            return LoaderRuns.Drain(loader, check: batch => atSecondEpoch ??= batch.Epoch >= 1 ? remote.RemoteStatistics : null);
        }).WaitAsync(s_bound);

        LoaderRuns.AssertSameBatches(expected, actual, "three epochs through the cache");
        Assert.AreEqual(0L, remote.LiveLeases, "dataset leases after the loader was disposed");
        var first = atSecondEpoch ?? throw new AssertFailedException("no batch of the second epoch was delivered");
        var end = remote.RemoteStatistics!.Value;
        TestContext.WriteLine($"{stored} stored bytes in {remote.ChunkCount} chunks; after epoch 1: {first}; after epoch 3: {end}");
        Assert.AreEqual(stored, first.Cache!.Value.BytesOnDisk, "every chunk is cached once the first epoch was delivered");
        Assert.AreEqual(first.BytesFetched, end.BytesFetched, "bytes fetched in epochs 2 and 3");
        Assert.AreEqual(first.Requests, end.Requests, "requests in epochs 2 and 3");
        Assert.AreEqual(first.Cache!.Value.Misses, end.Cache!.Value.Misses, "cache misses in epochs 2 and 3");
        Assert.IsGreaterThan(first.Cache!.Value.Hits, end.Cache!.Value.Hits, "epochs 2 and 3 read from the cache");
        Assert.AreEqual(0L, end.Cache!.Value.EntriesEvicted, "evictions from a cache that holds the dataset");
        Assert.AreEqual(0L, end.CacheWriteFailures, "failed cache writes");
        Assert.HasCount((int)remote.ChunkCount, CacheDirectory.EntryFiles(cache), "one entry per chunk");
        Assert.AreEqual(stored, CacheDirectory.BytesOnDisk(cache), "bytes on disk: the stored bytes of every chunk");
    }

    [TestMethod]
    public async Task Open_AgainOnTheFilledCacheDirectory_FetchesNoChunk()
    {
        var s3 = await SharedAsync();
        using var dir = new TempDirectory();
        var cache = dir.Combine("cache");
        var options = LoaderRuns.Options(SampleOrder.Window) with { Epochs = 2 };
        List<RecordedBatch> expected;
        using (var local = s3.OpenLocal())
        {
            expected = LoaderRuns.Run(local, options);
        }

        using (var filling = OpenCached(s3, cache, 64 << 20))
        {
            await Task.Run(() => LoaderRuns.Run(filling, LoaderRuns.Options(SampleOrder.Sequential))).WaitAsync(s_bound);
            Assert.HasCount((int)filling.ChunkCount, CacheDirectory.EntryFiles(cache), "entries after the first process's epoch");
        }

        // A restarted job: a new dataset over the same directory, nothing shared in memory with the first.
        using var reopened = OpenCached(s3, cache, 64 << 20);
        var afterOpen = reopened.RemoteStatistics!.Value;
        var actual = await Task.Run(() => LoaderRuns.Run(reopened, options)).WaitAsync(s_bound);

        LoaderRuns.AssertSameBatches(expected, actual, "after the restart");
        var end = reopened.RemoteStatistics!.Value;
        TestContext.WriteLine($"after open: {afterOpen}; after two epochs: {end}");
        Assert.AreEqual(afterOpen.BytesFetched, end.BytesFetched, "chunk bytes fetched after the open");
        Assert.AreEqual(afterOpen.Requests, end.Requests, "requests after the open");
        Assert.AreEqual(0L, end.Cache!.Value.Misses, "cache misses");
        Assert.IsGreaterThanOrEqualTo(reopened.ChunkCount, end.Cache!.Value.Hits, "every chunk read from the cache");
    }

    [TestMethod]
    public async Task NextBatch_CachedEntryCorruptedOnDisk_RefetchesThatChunkAndDeliversTheLocalBatches()
    {
        var s3 = await SharedAsync();
        using var dir = new TempDirectory();
        var cache = dir.Combine("cache");
        var options = LoaderRuns.Options(SampleOrder.Window);
        List<RecordedBatch> expected;
        using (var local = s3.OpenLocal())
        {
            expected = LoaderRuns.Run(local, options);
        }

        using (var filling = OpenCached(s3, cache, 64 << 20))
        {
            await Task.Run(() => LoaderRuns.Run(filling, LoaderRuns.Options(SampleOrder.Sequential))).WaitAsync(s_bound);
        }

        var entries = CacheDirectory.EntryFiles(cache);
        var victim = entries[entries.Count / 2];
        var intact = await File.ReadAllBytesAsync(victim);
        var damaged = (byte[])intact.Clone();
        damaged[damaged.Length / 2] ^= 0x5a;
        await File.WriteAllBytesAsync(victim, damaged);

        using var reopened = OpenCached(s3, cache, 64 << 20);
        var afterOpen = reopened.RemoteStatistics!.Value;
        var actual = await Task.Run(() => LoaderRuns.Run(reopened, options)).WaitAsync(s_bound);

        LoaderRuns.AssertSameBatches(expected, actual, $"with {Path.GetRelativePath(cache, victim)} corrupted in the cache");
        var end = reopened.RemoteStatistics!.Value;
        TestContext.WriteLine($"corrupted {Path.GetRelativePath(cache, victim)} ({intact.Length} bytes); after open: {afterOpen}; after the epoch: {end}");
        Assert.AreEqual(afterOpen.BytesFetched + intact.Length, end.BytesFetched, "bytes fetched: the corrupted chunk, once");
        Assert.AreEqual(1L, end.Cache!.Value.Misses, "the corrupted entry was deleted: its second read missed");
        CollectionAssert.AreEqual(intact, await File.ReadAllBytesAsync(victim), "the entry holds the chunk's bytes again");
        Assert.HasCount(entries.Count, CacheDirectory.EntryFiles(cache), "entries after the epoch");
    }

    private static ShardDataset OpenCached(RemoteDataset s3, string directory, long limit, bool evictByPlan = true)
    {
        var remote = s3.RemoteOptions();
        return ShardDataset.Open(s3.Location, new ShardDatasetOptions
        {
            Codecs = remote.Codecs,
            ObjectStorage = remote.ObjectStorage,
            Cache = new ChunkCacheOptions { Directory = directory, LimitBytes = limit, EvictByPlan = evictByPlan },
        });
    }

    private static async Task<RemoteDataset> SharedAsync()
    {
        await s_sharedGate.WaitAsync(s_bound);
        try
        {
            return s_shared ??= await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, LoaderSamples));
        }
        finally
        {
            s_sharedGate.Release();
        }
    }
}
