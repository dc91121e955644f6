using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class RemoteCacheTests
{
    [TestMethod]
    public async Task NextBatch_CacheOfHalfTheDataset_EvictingByPlanFetchesNoMoreThanByRecencyWithinTheLimit()
    {
        var s3 = await SharedAsync();
        var options = LoaderRuns.Options(SampleOrder.Window) with { Epochs = 3 };
        List<RecordedBatch> expected;
        long stored;
        using (var local = s3.OpenLocal())
        {
            expected = LoaderRuns.Run(local, options);
            stored = local.Shards.Sum(s => s.StoredBytes);
        }

        var limit = stored / 2;
        var byPlan = await FetchedOverThreeEpochsAsync(s3, options, expected, limit, evictByPlan: true);
        var byRecency = await FetchedOverThreeEpochsAsync(s3, options, expected, limit, evictByPlan: false);

        TestContext.WriteLine($"cache of {limit} bytes, half of {stored} stored; 3 epochs of Window order fetched {byPlan} chunk bytes evicting by plan, {byRecency} evicting the least recently used, {3 * stored} without a cache");
        Assert.IsGreaterThan(stored, byRecency, "a cache of half the dataset fetches chunks again after the first epoch");
        Assert.IsLessThanOrEqualTo(byRecency, byPlan, "chunk bytes fetched evicting by plan, against by recency");
    }

    // Runs three epochs through a fresh cache of limit bytes; checks the batches, and the bytes on disk after every
    // batch (measured under the cache's lock, and as the cache counts them); returns the chunk bytes fetched after the open.
    private async Task<long> FetchedOverThreeEpochsAsync(RemoteDataset s3, ShardLoaderOptions options, List<RecordedBatch> expected, long limit, bool evictByPlan)
    {
        using var dir = new TempDirectory();
        var cache = dir.Combine("cache");
        using var remote = OpenCached(s3, cache, limit, evictByPlan);
        var afterOpen = remote.RemoteStatistics!.Value.BytesFetched;
        long mostOnDisk = 0;
        long mostCounted = 0;
        var actual = await Task.Run(() =>
        {
            using var loader = ShardLoader.Create(remote, options);
            return LoaderRuns.Drain(loader, check: _ =>
            {
                mostOnDisk = Math.Max(mostOnDisk, CacheDirectory.BytesOnDiskLocked(cache, TimeSpan.FromSeconds(30)));
                mostCounted = Math.Max(mostCounted, remote.RemoteStatistics!.Value.Cache!.Value.BytesOnDisk);
            });
        }).WaitAsync(s_bound);

        var what = evictByPlan ? "evicting by plan" : "evicting by recency";
        LoaderRuns.AssertSameBatches(expected, actual, what);
        var end = remote.RemoteStatistics!.Value;
        var finalOnDisk = CacheDirectory.BytesOnDiskLocked(cache, TimeSpan.FromSeconds(30));
        TestContext.WriteLine($"{what}: {end}; at most {mostOnDisk} bytes on disk, {mostCounted} counted; {finalOnDisk} at the end");
        Assert.IsLessThanOrEqualTo(limit, mostOnDisk, $"{what}: the most bytes measured on disk");
        Assert.IsLessThanOrEqualTo(limit, mostCounted, $"{what}: the most bytes the cache counted on disk");
        Assert.IsLessThanOrEqualTo(limit, finalOnDisk, $"{what}: bytes on disk at the end");
        Assert.IsLessThanOrEqualTo(limit, end.Cache!.Value.BytesOnDisk, $"{what}: bytes the cache counts at the end");
        Assert.IsGreaterThan(0L, end.Cache!.Value.EntriesEvicted + end.Cache!.Value.DeclinedWrites, $"{what}: a cache of half the dataset evicts or declines");
        Assert.AreEqual(0L, end.CacheWriteFailures, $"{what}: failed cache writes");
        return end.BytesFetched - afterOpen;
    }
}
