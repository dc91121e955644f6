using ShardStore.Internals.Loading;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Internals.Loading;

[TestClass]
public sealed class PlanNextUseTests
{
    private static TempDirectory? s_dir;
    private static ShardDataset? s_dataset;
    private static ChunkIndex? s_index;

    private static ChunkIndex Index => s_index ?? throw new InvalidOperationException("ClassInitialize did not run.");

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_dataset = ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, 777), TestData.ReadOptions());
        s_index = new ChunkIndex(s_dataset);
        Assert.IsGreaterThan(3, s_dataset.Shards.Count, "chunks in several shards");
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        s_dataset?.Dispose();
        s_dir?.Dispose();
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Sequential)]
    public void NextUse_AtEpochStart_IsTheStartOfEachChunksWindow(SampleOrder order)
    {
        (PlanNextUse plan, EpochOrderCache orders) = Create(order, epochs: 3);
        plan.AtPosition(0, 0);
        IEpochOrder epoch = orders.Get(0);
        for (int c = 0; c < Index.ChunkCount; c++)
        {
            Assert.AreEqual(epoch.FirstUse(c), plan.NextUse(Index.ChunkShard[c], Index.ChunkInShard[c]), $"chunk {c}");
        }
    }

    [TestMethod]
    public void NextUse_InsideAWindow_IsZeroForItsChunksAndCountsDownForLaterOnes()
    {
        (PlanNextUse plan, EpochOrderCache orders) = Create(SampleOrder.Window, epochs: 3);
        IEpochOrder epoch = orders.Get(0);
        int chunk = Enumerable.Range(0, Index.ChunkCount).First(c => epoch.FirstUse(c) > 0);
        long position = epoch.FirstUse(chunk) + 1;
        plan.AtPosition(0, position);
        Assert.AreEqual(0L, plan.NextUse(Index.ChunkShard[chunk], Index.ChunkInShard[chunk]), "a chunk of the window being read is needed now");
        foreach (int later in Enumerable.Range(0, Index.ChunkCount).Where(c => epoch.FirstUse(c) > position))
        {
            Assert.AreEqual(epoch.FirstUse(later) - position, plan.NextUse(Index.ChunkShard[later], Index.ChunkInShard[later]), $"chunk {later}");
        }
    }

    [TestMethod]
    public void NextUse_WindowPassed_IsItsFirstUseInTheNextEpoch()
    {
        (PlanNextUse plan, EpochOrderCache orders) = Create(SampleOrder.Window, epochs: 3);
        IEpochOrder epoch = orders.Get(1);
        int chunk = Enumerable.Range(0, Index.ChunkCount).First(c => epoch.LastUse(c) < Index.SampleCount - 1);
        long position = epoch.LastUse(chunk) + 1;
        plan.AtPosition(1, position);
        long expected = Index.SampleCount - position + orders.Get(2).FirstUse(chunk);
        Assert.AreEqual(expected, plan.NextUse(Index.ChunkShard[chunk], Index.ChunkInShard[chunk]));
    }

    [TestMethod]
    public void NextUse_WindowPassedInTheLastEpoch_IsNeverAgain()
    {
        (PlanNextUse plan, EpochOrderCache orders) = Create(SampleOrder.Window, epochs: 1);
        IEpochOrder epoch = orders.Get(0);
        int chunk = Enumerable.Range(0, Index.ChunkCount).First(c => epoch.LastUse(c) < Index.SampleCount - 1);
        plan.AtPosition(0, epoch.LastUse(chunk) + 1);
        Assert.AreEqual(long.MaxValue, plan.NextUse(Index.ChunkShard[chunk], Index.ChunkInShard[chunk]));
    }

    [TestMethod]
    public void NextUse_RandomOrder_IsUnknownForEveryChunk()
    {
        (PlanNextUse plan, _) = Create(SampleOrder.Random, epochs: 3);
        plan.AtPosition(0, 10);
        for (int c = 0; c < Index.ChunkCount; c++)
        {
            Assert.AreEqual(long.MaxValue, plan.NextUse(Index.ChunkShard[c], Index.ChunkInShard[c]));
        }
    }

    private static (PlanNextUse Plan, EpochOrderCache Orders) Create(SampleOrder order, int epochs)
    {
        ShardLoaderOptions options = LoaderHarness.Options(order, 16) with { Epochs = epochs };
        var orders = new EpochOrderCache(Index, options);
        return (new PlanNextUse(Index, orders, order, epochs), orders);
    }
}
