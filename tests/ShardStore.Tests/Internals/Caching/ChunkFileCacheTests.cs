using ShardStore.Internals.Caching;
using ShardStore.Tests.Internals.Caching.Infrastructure;

namespace ShardStore.Tests.Internals.Caching;

[TestClass]
public sealed partial class ChunkFileCacheTests
{
    private const string Key = "ds-1";

    [TestMethod]
    public void TryRead_AfterTryWrite_SameBytesAndCountsHit()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1 << 20, Key);
        byte[] bytes = CacheFiles.Chunk(3, 7, 5000);

        Assert.IsTrue(cache.TryWrite(3, 7, bytes));
        byte[] read = new byte[5000];
        Assert.IsTrue(cache.TryRead(3, 7, read));

        CollectionAssert.AreEqual(bytes, read);
        Assert.AreEqual(1L, cache.Statistics.Hits);
        Assert.AreEqual(0L, cache.Statistics.Misses);
        Assert.AreEqual(5000L, cache.Statistics.BytesWritten);
        Assert.AreEqual(5000L, cache.Statistics.BytesOnDisk);
        Assert.IsTrue(File.Exists(CacheFiles.EntryPath(dir.Path, Key, 3, 7)), "the entry lies at <key>/<shard>/<chunk>");
        Assert.AreEqual(5000L, CacheFiles.BytesOnDisk(dir.Path));
    }

    [TestMethod]
    public void TryRead_NeverWritten_FalseAndCountsMiss()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1 << 20, Key);

        Assert.IsFalse(cache.TryRead(0, 0, new byte[10]));
        Assert.IsFalse(cache.TryRead(5, 1, new byte[10]), "a shard folder that does not exist either");

        Assert.AreEqual(2L, cache.Statistics.Misses);
        Assert.AreEqual(0L, cache.Statistics.Hits);
    }

    [TestMethod]
    public void TryRead_WrongLength_FalseAndEntryDeleted()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1 << 20, Key);
        Assert.IsTrue(cache.TryWrite(0, 1, CacheFiles.Chunk(0, 1, 300)));

        Assert.IsFalse(cache.TryRead(0, 1, new byte[200]));

        Assert.AreEqual(1L, cache.Statistics.Misses);
        Assert.IsFalse(File.Exists(CacheFiles.EntryPath(dir.Path, Key, 0, 1)), "the wrong-size entry is deleted");
        Assert.IsFalse(cache.TryRead(0, 1, new byte[300]), "and no longer found at its right size");
        Assert.AreEqual(0L, cache.Statistics.BytesOnDisk);
    }

    [TestMethod]
    public void TryRead_EntryOfAnotherKey_Miss()
    {
        using var dir = new TempDirectory();
        using var first = ChunkFileCache.Open(dir.Path, 1 << 20, "ds-1");
        using var second = ChunkFileCache.Open(dir.Path, 1 << 20, "ds-2");
        Assert.IsTrue(first.TryWrite(0, 0, CacheFiles.Chunk(0, 0, 100)));

        Assert.IsFalse(second.TryRead(0, 0, new byte[100]));
        Assert.IsTrue(first.TryRead(0, 0, new byte[100]));
    }

    [TestMethod]
    public void Remove_StoredEntry_NextReadMissesAndBytesFreed()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1 << 20, Key);
        Assert.IsTrue(cache.TryWrite(1, 2, CacheFiles.Chunk(1, 2, 400)));

        cache.Remove(1, 2);

        Assert.IsFalse(cache.TryRead(1, 2, new byte[400]));
        Assert.AreEqual(0L, cache.Statistics.BytesOnDisk);
        Assert.AreEqual(0L, CacheFiles.BytesOnDisk(dir.Path));
    }

    [TestMethod]
    public void TryWrite_LargerThanLimit_DeclinedAndNothingStored()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1000, Key);

        Assert.IsFalse(cache.TryWrite(0, 0, new byte[1001]));

        Assert.AreEqual(1L, cache.Statistics.DeclinedWrites);
        Assert.AreEqual(0L, CacheFiles.BytesOnDisk(dir.Path));
        Assert.IsTrue(cache.TryWrite(0, 0, new byte[1000]), "exactly the limit fits");
    }

    [TestMethod]
    public void TryWrite_SameChunkTwice_StoredOnce()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1 << 20, Key);
        byte[] bytes = CacheFiles.Chunk(0, 4, 700);

        Assert.IsTrue(cache.TryWrite(0, 4, bytes));
        Assert.IsTrue(cache.TryWrite(0, 4, bytes), "already there");

        Assert.AreEqual(700L, cache.Statistics.BytesWritten);
        Assert.AreEqual(700L, cache.Statistics.BytesOnDisk);
        Assert.AreEqual(700L, CacheFiles.BytesOnDisk(dir.Path));
    }

    [TestMethod]
    public void Open_BadArguments_Throws()
    {
        using var dir = new TempDirectory();

        Assert.ThrowsExactly<ArgumentException>(() => ChunkFileCache.Open(dir.Path, 100, "Upper"));
        Assert.ThrowsExactly<ArgumentException>(() => ChunkFileCache.Open(dir.Path, 100, "a/b"));
        Assert.ThrowsExactly<ArgumentException>(() => ChunkFileCache.Open(dir.Path, 100, ""));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ChunkFileCache.Open(dir.Path, 0, Key));
    }

    [TestMethod]
    public void Open_LockHeldByAnother_TimeoutExceptionNamingTheLockFile()
    {
        using var dir = new TempDirectory();
        string lockFile = dir.Combine(CacheLayout.LockFileName);

        // Another holder of the flock, as another process would be (flock belongs to the open file, not the process).
        using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            TimeoutException e = Assert.ThrowsExactly<TimeoutException>(
                () => ChunkFileCache.Open(dir.Path, 1000, Key, TimeSpan.FromMilliseconds(200), ChunkFileCache.s_defaultStrayAge));
            StringAssert.Contains(e.Message, lockFile);
        }

        using var cache = ChunkFileCache.Open(dir.Path, 1000, Key);
        Assert.IsTrue(cache.TryWrite(0, 0, new byte[10]), "usable once the other holder let go");
    }

    [TestMethod]
    public void Dispose_Twice_HarmlessAndLaterCallsThrow()
    {
        using var dir = new TempDirectory();
        var cache = ChunkFileCache.Open(dir.Path, 1000, Key);
        Assert.IsTrue(cache.TryWrite(0, 0, new byte[10]));
        Assert.IsTrue(cache.TryRead(0, 0, new byte[10]));

        cache.Dispose();
        cache.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => cache.TryRead(0, 0, new byte[10]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => cache.TryWrite(0, 1, new byte[10]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => cache.Remove(0, 0));
        Assert.AreEqual(1L, cache.Statistics.Hits, "the counters stay readable");
    }

    [TestMethod]
    public void TryWrite_ManyThreads_LimitHoldsAndEveryHitIsWhole()
    {
        const long Limit = 20_000;
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, Limit, Key);
        long maxOnDisk = 0;
        int wrongHits = 0;

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var random = new Random(worker);
            for (int i = 0; i < 300; i++)
            {
                int chunk = random.Next(40);
                int length = 1000 + (chunk % 5 * 500);
                byte[] buffer = new byte[length];
                if (cache.TryRead(0, chunk, buffer))
                {
                    if (!buffer.AsSpan().SequenceEqual(CacheFiles.Chunk(0, chunk, length)))
                    {
                        Interlocked.Increment(ref wrongHits);
                    }
                }
                else
                {
                    cache.TryWrite(0, chunk, CacheFiles.Chunk(0, chunk, length));
                }

                if (i % 10 == 0)
                {
                    long onDisk = CacheFiles.BytesOnDiskLocked(dir.Path);
                    InterlockedMax(ref maxOnDisk, onDisk);
                }
            }
        });

        Assert.AreEqual(0, wrongHits, "hits with bytes other than those written");
        Assert.IsLessThanOrEqualTo(Limit, maxOnDisk);
        Assert.IsGreaterThan(0L, cache.Statistics.EntriesEvicted, "the limit was reached");
        Assert.AreEqual(CacheFiles.BytesOnDisk(dir.Path), cache.Statistics.BytesOnDisk, "the state counts exactly the files");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen = Volatile.Read(ref target);
        while (value > seen)
        {
            long previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
