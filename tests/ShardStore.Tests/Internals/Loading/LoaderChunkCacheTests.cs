using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Internals.Loading;

[TestClass]
public sealed class LoaderChunkCacheTests
{
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(20);
    private static TempDirectory? s_dir;
    private static ShardDataset? s_dataset;
    private static ChunkIndex? s_index;

    private static ShardDataset Dataset => s_dataset ?? throw new InvalidOperationException("ClassInitialize did not run.");

    private static ChunkIndex Index => s_index ?? throw new InvalidOperationException("ClassInitialize did not run.");

    // The budget of one chunk buffer: every chunk of the test dataset takes one buffer of this size.
    private static long OneBuffer => ChunkBufferPool.RoundUp(Index.MaxRawChunkBytes);

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_dataset = ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, 300), TestData.ReadOptions());
        s_index = new ChunkIndex(s_dataset);
        Assert.IsGreaterThan(4, s_index.ChunkCount);
        Assert.IsTrue(Enumerable.Range(0, s_index.ChunkCount).All(c => OneBufferOf(c) == OneBuffer), "every chunk takes a buffer of the same size");
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        s_dataset?.Dispose();
        s_dir?.Dispose();
    }

    [TestMethod]
    public void Acquire_SameChunkTwice_ReadOnceAndKeptAfterBothRelease()
    {
        var budget = new MemoryBudget(1 << 20);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 8, reader, byPriority: false);

        LoaderChunkCache.CachedChunk first = Acquire(cache, 1);
        LoaderChunkCache.CachedChunk second = Acquire(cache, 1);

        Assert.AreSame(first, second);
        Assert.AreEqual(2, first.Pins);
        Assert.AreEqual(1L, reader.ChunksLoaded);
        Assert.AreEqual(RawSize(1), first.Length);
        using (ChunkLease lease = Dataset.ReadChunk(Index.ChunkShard[1], Index.ChunkInShard[1]))
        {
            CollectionAssert.AreEqual(lease.RawBytes.ToArray(), first.Raw.ToArray(), "the chunk's raw bytes");
        }

        cache.Release(first);
        cache.Release(second);
        Assert.AreEqual(1, cache.Count, "a released chunk stays cached");
        Assert.AreSame(first, cache.TryAcquireReady(1, priority: 0), "and is found ready");
        Assert.AreEqual(1L, reader.ChunksLoaded, "without being read again");
        cache.Release(first);

        cache.Dispose();
        Assert.AreEqual(0, cache.Count);
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void TryAcquireReady_ChunkNeverRead_NullAndReadsNothing()
    {
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        using var cache = new LoaderChunkCache(Dataset, Index, new MemoryBudget(1 << 20), maxEntries: 8, reader, byPriority: false);

        Assert.IsNull(cache.TryAcquireReady(0, priority: 0));
        Assert.IsNull(cache.KnownSections(0));
        Assert.AreEqual(0L, reader.ChunksLoaded);
        Assert.AreEqual(0, cache.Count);
    }

    [TestMethod]
    public void Release_MoreThanMaxEntries_EvictsTheLeastRecentlyReleased()
    {
        var budget = new MemoryBudget(1 << 20);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 2, reader, byPriority: false);

        foreach (int chunk in new[] { 0, 1, 2 })
        {
            cache.Release(Acquire(cache, chunk, priority: 10 - chunk));
        }

        Assert.AreEqual(2, cache.Count);
        Assert.IsNull(cache.TryAcquireReady(0, priority: 0), "the first released is evicted");
        Assert.IsNotNull(cache.KnownSections(0), "the layout of an evicted chunk is remembered");
        ReleaseReady(cache, 1);
        ReleaseReady(cache, 2);

        cache.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void Release_MoreThanMaxEntriesByPriority_EvictsTheLowestPriority()
    {
        var budget = new MemoryBudget(1 << 20);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 2, reader, byPriority: true);

        cache.Release(Acquire(cache, 0, priority: 5));
        cache.Release(Acquire(cache, 1, priority: 1));
        cache.Release(Acquire(cache, 2, priority: 3));

        Assert.AreEqual(2, cache.Count);
        Assert.IsNull(cache.TryAcquireReady(1, priority: 0), "the lowest priority is evicted");
        ReleaseReady(cache, 0);
        ReleaseReady(cache, 2);

        cache.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void Acquire_BudgetOfOneBuffer_EvictsTheIdleChunkToReadTheNext()
    {
        var budget = new MemoryBudget(OneBuffer);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 8, reader, byPriority: false);

        for (int chunk = 0; chunk < 4; chunk++)
        {
            LoaderChunkCache.CachedChunk entry = Acquire(cache, chunk);
            Assert.AreEqual(chunk, entry.Chunk);
            Assert.AreEqual(1, cache.Count, $"chunk {chunk}: the idle chunk before it gave its buffer up");
            cache.Release(entry);
        }

        Assert.AreEqual(4L, reader.ChunksLoaded);
        Assert.IsLessThanOrEqualTo(OneBuffer, budget.PeakBytes, "never past the budget");
        Assert.IsFalse(cache.UnderPressure, "an idle chunk could always be evicted");
        cache.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void Acquire_EveryCachedChunkPinned_WaitsUnderPressureUntilOneIsReleased()
    {
        var budget = new MemoryBudget(OneBuffer);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 8, reader, byPriority: false);
        LoaderChunkCache.CachedChunk pinned = Acquire(cache, 0);

        Task<LoaderChunkCache.CachedChunk> waiting = Task.Run(() => Acquire(cache, 1));
        Assert.IsTrue(SpinWait.SpinUntil(() => cache.UnderPressure, s_hangLimit), $"the second reader did not report pressure within {s_hangLimit}");

        Assert.IsFalse(waiting.IsCompleted, "no buffer while chunk 0 is pinned");
        using (var limit = new CancellationTokenSource(s_hangLimit))
        {
            Assert.IsNull(cache.Acquire(1, 0, wait: false, new byte[Index.MaxCompressedChunkBytes], limit.Token), "a chunk another worker is reading, without waiting");
        }

        Assert.IsNull(cache.TryAcquireReady(1, priority: 0), "not ready yet");
        cache.Release(pinned);

        Assert.IsTrue(waiting.Wait(s_hangLimit), $"the second reader did not get a buffer within {s_hangLimit} of the release");
        Assert.AreEqual(1, waiting.Result.Chunk);
        Assert.IsFalse(cache.UnderPressure);
        cache.Release(waiting.Result);
        cache.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void Acquire_CancelledWhileEveryChunkIsPinned_ThrowsAndLeavesNothingBehind()
    {
        var budget = new MemoryBudget(OneBuffer);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 8, reader, byPriority: false);
        LoaderChunkCache.CachedChunk pinned = Acquire(cache, 0);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() => cache.Acquire(1, 0, wait: true, new byte[Index.MaxCompressedChunkBytes], cancelled.Token));

        Assert.AreEqual(1, cache.Count, "the chunk that was not read is forgotten");
        cache.Release(pinned);
        LoaderChunkCache.CachedChunk retried = Acquire(cache, 1);
        Assert.AreEqual(1, retried.Chunk, "a later acquire reads it");
        cache.Release(retried);
        cache.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void TrimIdle_EveryChunkReleased_BudgetBackToZeroWithoutDispose()
    {
        var budget = new MemoryBudget(1 << 20);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        using var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 8, reader, byPriority: false);
        LoaderChunkCache.CachedChunk kept = Acquire(cache, 0);
        cache.Release(Acquire(cache, 1));
        cache.Release(Acquire(cache, 2));

        cache.TrimIdle();

        Assert.AreEqual(1, cache.Count, "a pinned chunk stays");
        Assert.AreEqual(OneBufferOf(0), budget.InUseBytes);
        cache.Release(kept);
        cache.TrimIdle();
        Assert.AreEqual(0, cache.Count);
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void Dispose_AfterEverythingReleased_BudgetBackToZeroAndLaterUseThrows()
    {
        var budget = new MemoryBudget(1 << 20);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 8, reader, byPriority: false);
        for (int chunk = 0; chunk < 4; chunk++)
        {
            cache.Release(Acquire(cache, chunk));
        }

        Assert.IsGreaterThan(0L, budget.InUseBytes);

        cache.Dispose();

        Assert.AreEqual(0, cache.Count);
        Assert.AreEqual(0L, budget.InUseBytes);
        Assert.ThrowsExactly<ObjectDisposedException>(() => Acquire(cache, 0));
        Assert.ThrowsExactly<ObjectDisposedException>(() => cache.TryAcquireReady(0, priority: 0));
        cache.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes, "a second dispose is harmless");
    }

    [TestMethod]
    public void Release_AfterDispose_BudgetBackToZero()
    {
        var budget = new MemoryBudget(1 << 20);
        var reader = new LoaderChunkReader(Dataset, Index, dropPages: false, hints: null);
        var cache = new LoaderChunkCache(Dataset, Index, budget, maxEntries: 8, reader, byPriority: false);
        LoaderChunkCache.CachedChunk pinned = Acquire(cache, 0);
        cache.Dispose();
        Assert.IsGreaterThan(0L, budget.InUseBytes, "the chunk still pinned keeps its buffer");

        cache.Release(pinned);

        Assert.AreEqual(0L, budget.InUseBytes, "the buffer of a chunk released after dispose goes back to the budget");
    }

    // Acquires a chunk, waiting for it at most the hang limit.
    private static LoaderChunkCache.CachedChunk Acquire(LoaderChunkCache cache, int chunk, long priority = 0)
    {
        using var limit = new CancellationTokenSource(s_hangLimit);
        try
        {
            return cache.Acquire(chunk, priority, wait: true, new byte[Index.MaxCompressedChunkBytes], limit.Token)
                ?? throw new AssertFailedException($"chunk {chunk}: Acquire with wait returned null");
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            throw new AssertFailedException($"chunk {chunk}: no buffer within {s_hangLimit}");
        }
    }

    private static void ReleaseReady(LoaderChunkCache cache, int chunk) =>
        cache.Release(cache.TryAcquireReady(chunk, priority: 0) ?? throw new AssertFailedException($"chunk {chunk} is not cached"));

    private static int RawSize(int chunk) => (int)Dataset.GetEntry(Index.ChunkShard[chunk], Index.ChunkInShard[chunk]).RawSize;

    private static long OneBufferOf(int chunk) => ChunkBufferPool.RoundUp(RawSize(chunk));
}
