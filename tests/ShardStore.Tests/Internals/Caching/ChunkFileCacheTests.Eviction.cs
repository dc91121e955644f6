using ShardStore.Internals.Caching;
using ShardStore.Tests.Internals.Caching.Infrastructure;

namespace ShardStore.Tests.Internals.Caching;

public sealed partial class ChunkFileCacheTests
{
    [TestMethod]
    public void TryWrite_FullWithoutPlan_EvictsLeastRecentlyUsed()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 300, Key);
        Write(cache, 0, 1, 2);
        Assert.IsTrue(cache.TryRead(0, 0, new byte[100]), "chunk 0 used again: chunk 1 is now the least recent");

        Assert.IsTrue(cache.TryWrite(0, 3, CacheFiles.Chunk(0, 3, 100)));

        CollectionAssert.AreEqual(new[] { 0, 2, 3 }, Present(cache, 0, 1, 2, 3));
        Assert.AreEqual(1L, cache.Statistics.EntriesEvicted);
        Assert.AreEqual(100L, cache.Statistics.BytesEvicted);
        Assert.AreEqual(300L, CacheFiles.BytesOnDisk(dir.Path));
    }

    [TestMethod]
    public void Open_AfterReadsOfAClosedCache_TheirRecencyKept()
    {
        using var dir = new TempDirectory();
        using (var first = ChunkFileCache.Open(dir.Path, 300, Key))
        {
            Write(first, 0, 1, 2);
            Assert.IsTrue(first.TryRead(0, 0, new byte[100]));
        }

        using var second = ChunkFileCache.Open(dir.Path, 300, Key);
        Assert.IsTrue(second.TryWrite(0, 3, CacheFiles.Chunk(0, 3, 100)));

        CollectionAssert.AreEqual(new[] { 0, 2, 3 }, Present(second, 0, 1, 2, 3), "the read before dispose made chunk 1 the least recent");
    }

    [TestMethod]
    public void TryWrite_FullWithPlan_EvictsOutsidePlanThenFarthestNextUse()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 400, Key);
        var plan = new PlannedNextUse();
        cache.NextUse = plan;
        plan[0, 1] = 40;
        plan[0, 2] = 10;
        plan[0, 4] = 5;
        plan[0, 5] = 1;
        Write(cache, 0, 1, 2, 3);   // 0 and 3 are outside the plan, 0 the least recently used

        Assert.IsTrue(cache.TryWrite(0, 4, CacheFiles.Chunk(0, 4, 200)), "needs two entries' room");
        CollectionAssert.AreEqual(new[] { 1, 2, 4 }, Present(cache, 0, 1, 2, 3, 4), "both entries outside the plan went");

        Assert.IsTrue(cache.TryWrite(0, 5, CacheFiles.Chunk(0, 5, 100)));
        CollectionAssert.AreEqual(new[] { 2, 4, 5 }, Present(cache, 1, 2, 4, 5), "then the farthest next use (chunk 1, at 40)");

        Assert.AreEqual(3L, cache.Statistics.EntriesEvicted);
        Assert.AreEqual(0L, cache.Statistics.DeclinedWrites);
        Assert.AreEqual(400L, CacheFiles.BytesOnDisk(dir.Path));
    }

    [TestMethod]
    public void TryWrite_MoreVictimsThanTheFirstPassKeeps_FarthestNextUsesTaken()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 2000, Key);
        var plan = new PlannedNextUse();
        cache.NextUse = plan;
        for (int chunk = 0; chunk < 20; chunk++)
        {
            plan[0, chunk] = 100 + chunk;
            Assert.IsTrue(cache.TryWrite(0, chunk, CacheFiles.Chunk(0, chunk, 100)));
        }

        plan[0, 20] = 110;
        Assert.IsFalse(cache.TryWrite(0, 20, CacheFiles.Chunk(0, 20, 1500)), "the 11th of the 15 victims (at 109) is needed sooner than it (at 110)");
        Assert.AreEqual(0L, cache.Statistics.EntriesEvicted);

        plan[0, 20] = 105;
        Assert.IsTrue(cache.TryWrite(0, 20, CacheFiles.Chunk(0, 20, 1500)));

        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4, 20 }, Present(cache, [.. Enumerable.Range(0, 21)]), "the 15 farthest went");
        Assert.AreEqual(15L, cache.Statistics.EntriesEvicted);
    }

    [TestMethod]
    public void TryWrite_NeededLaterThanEveryEntry_DeclinedAndNothingEvicted()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 300, Key);
        var plan = new PlannedNextUse();
        cache.NextUse = plan;
        plan[0, 0] = 3;
        plan[0, 1] = 1;
        plan[0, 2] = 2;
        plan[0, 3] = 9;
        plan[0, 5] = 3;
        Write(cache, 0, 1, 2);

        Assert.IsFalse(cache.TryWrite(0, 3, CacheFiles.Chunk(0, 3, 100)), "needed at 9, after all of 1, 2, 3");
        Assert.IsFalse(cache.TryWrite(0, 4, CacheFiles.Chunk(0, 4, 100)), "outside the plan");
        Assert.IsFalse(cache.TryWrite(0, 5, CacheFiles.Chunk(0, 5, 200)), "chunk 0 (at 3) may make room for it (at 3), chunk 2 (at 2) may not: nothing goes");

        Assert.AreEqual(3L, cache.Statistics.DeclinedWrites);
        Assert.AreEqual(0L, cache.Statistics.EntriesEvicted);
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, Present(cache, 0, 1, 2, 3, 4, 5));

        plan[0, 3] = 2;
        Assert.IsTrue(cache.TryWrite(0, 3, CacheFiles.Chunk(0, 3, 100)), "as soon as chunk 0 (3) is needed later than it (2)");
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, Present(cache, 0, 1, 2, 3));
    }

    [TestMethod]
    public void TryWrite_EntriesOfAnotherKey_EvictedFirst()
    {
        using var dir = new TempDirectory();
        using var current = ChunkFileCache.Open(dir.Path, 400, "ds-new");
        using var old = ChunkFileCache.Open(dir.Path, 400, "ds-old");
        Write(current, 0, 1);        // the least recently used entries of the directory
        Write(old, 0, 1);

        Assert.IsTrue(current.TryWrite(0, 2, CacheFiles.Chunk(0, 2, 200)));

        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, Present(current, 0, 1, 2), "the current key kept all of its own");
        CollectionAssert.AreEqual(Array.Empty<int>(), Present(old, 0, 1));
        Assert.AreEqual(200L, current.Statistics.BytesEvicted);
    }

    [TestMethod]
    public void Open_LimitBelowUsage_EvictsDownToIt()
    {
        using var dir = new TempDirectory();
        using (var large = ChunkFileCache.Open(dir.Path, 1000, Key))
        {
            Write(large, 0, 1, 2, 3, 4);
        }

        using var small = ChunkFileCache.Open(dir.Path, 250, Key);

        Assert.AreEqual(200L, small.Statistics.BytesOnDisk);
        Assert.AreEqual(200L, CacheFiles.BytesOnDisk(dir.Path));
        CollectionAssert.AreEqual(new[] { 3, 4 }, Present(small, 0, 1, 2, 3, 4), "the most recent kept");
    }

    // Writes 100-byte chunks of shard 0, in order.
    private static void Write(ChunkFileCache cache, params int[] chunks)
    {
        foreach (int chunk in chunks)
        {
            Assert.IsTrue(cache.TryWrite(0, chunk, CacheFiles.Chunk(0, chunk, 100)), $"chunk {chunk} stored");
        }
    }

    // The chunks of shard 0 found in the cache, each read in full and checked (reads count as uses).
    private static int[] Present(ChunkFileCache cache, params int[] chunks)
    {
        var present = new List<int>();
        foreach (int chunk in chunks)
        {
            string path = CacheFiles.EntryPath(cache.Directory, KeyOf(cache), 0, chunk);
            if (File.Exists(path))
            {
                byte[] bytes = new byte[new FileInfo(path).Length];
                Assert.IsTrue(cache.TryRead(0, chunk, bytes));
                CollectionAssert.AreEqual(CacheFiles.Chunk(0, chunk, bytes.Length), bytes, $"chunk {chunk}");
                present.Add(chunk);
            }
        }

        return [.. present];
    }

    private static string KeyOf(ChunkFileCache cache) => cache.DatasetKey;
}
