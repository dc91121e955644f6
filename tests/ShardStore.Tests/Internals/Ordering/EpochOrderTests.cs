using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Internals.Ordering;

[TestClass]
public sealed partial class EpochOrderTests
{
    private static TempDirectory? s_dir;
    private static ChunkIndex? s_layout;

    private static ChunkIndex Layout => s_layout ?? throw new InvalidOperationException("ClassInitialize did not run.");

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, 777), TestData.ReadOptions());
        s_layout = new ChunkIndex(ds);
        Assert.IsGreaterThan(30, s_layout.ChunkCount);
    }

    [ClassCleanup]
    public static void ClassCleanup() => s_dir?.Dispose();

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1, 16)]
    [DataRow(SampleOrder.Sequential, 4, 7)]
    [DataRow(SampleOrder.Window, 1, 16)]
    [DataRow(SampleOrder.Window, 3, 5)]
    public void FirstUseAndLastUse_EveryChunk_BoundWhereItsSamplesAppearAndStartItsWindow(SampleOrder order, int partitions, int block)
    {
        var epochOrder = new EpochOrder(Layout, order, 3, 1, partitions, 4, block);
        long n = Layout.SampleCount;
        int[] chunks = new int[n];
        epochOrder.Fill(0, new long[n], chunks);
        var firstSeen = new Dictionary<int, long>();
        var lastSeen = new Dictionary<int, long>();
        for (long p = 0; p < n; p++)
        {
            firstSeen.TryAdd(chunks[p], p);
            lastSeen[chunks[p]] = p;
        }

        for (int c = 0; c < Layout.ChunkCount; c++)
        {
            Assert.IsLessThanOrEqualTo(firstSeen[c], epochOrder.FirstUse(c), $"chunk {c} is not read before its first use");
            Assert.IsGreaterThanOrEqualTo(lastSeen[c], epochOrder.LastUse(c), $"chunk {c} is not read after its last use");

            // The chunks of one window (one last use) start together: the window's first position reads one of them.
            long windowStart = Enumerable.Range(0, Layout.ChunkCount).Where(d => epochOrder.LastUse(d) == epochOrder.LastUse(c)).Min(d => firstSeen[d]);
            Assert.AreEqual(windowStart, epochOrder.FirstUse(c), $"chunk {c}'s first use is the start of its window");
        }
    }

    [TestMethod]
    public void FirstUse_RandomOrder_IsUnknown()
    {
        var epochOrder = new EpochOrder(Layout, SampleOrder.Random, 3, 1, 1, 4, 16);
        Assert.AreEqual(-1L, epochOrder.FirstUse(0));
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1, 16)]
    [DataRow(SampleOrder.Sequential, 4, 7)]
    [DataRow(SampleOrder.Window, 1, 16)]
    [DataRow(SampleOrder.Window, 3, 5)]
    [DataRow(SampleOrder.Window, 7, 32)]
    [DataRow(SampleOrder.Random, 1, 16)]
    [DataRow(SampleOrder.Random, 4, 1)]
    [DataRow(SampleOrder.Random, 5, 100)]
    public void Fill_RangesAtRandomPositions_EqualSingleFillsAndNameTheirChunks(SampleOrder order, int partitions, int block)
    {
        var epochOrder = new EpochOrder(Layout, order, 3, 1, partitions, 4, block);
        long n = Layout.SampleCount;
        long[] singles = new long[n];
        for (long p = 0; p < n; p++)
        {
            epochOrder.Fill(p, singles.AsSpan((int)p, 1));
        }

        CollectionAssert.AreEquivalent(Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray(), singles, "the epoch is a permutation");
        var random = new Random(1234);
        for (int trial = 0; trial < 300; trial++)
        {
            int position = random.Next((int)n);
            int length = random.Next(1 + (int)Math.Min(n - position, 3L * block));
            long[] range = new long[length];
            int[] chunks = new int[length];
            epochOrder.Fill(position, range, chunks);
            CollectionAssert.AreEqual(singles[position..(position + length)], range, $"Fill({position}, {length})");
            CollectionAssert.AreEqual(range.Select(Layout.ChunkOf).ToArray(), chunks, $"the chunks of Fill({position}, {length})");
        }

        long[] whole = new long[n];
        epochOrder.Fill(0, whole);
        CollectionAssert.AreEqual(singles, whole, "Fill of the whole epoch");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void Fill_SameInputs_IsAPureFunctionAndEpochsDiffer(SampleOrder order)
    {
        long[] a = Whole(new EpochOrder(Layout, order, 9, 0, 2, 4, 16));
        long[] b = Whole(new EpochOrder(Layout, order, 9, 0, 2, 4, 16));
        long[] nextEpoch = Whole(new EpochOrder(Layout, order, 9, 1, 2, 4, 16));
        long[] otherSeed = Whole(new EpochOrder(Layout, order, 10, 0, 2, 4, 16));

        CollectionAssert.AreEqual(a, b);
        Assert.IsGreaterThan(a.Length / 2, a.Zip(nextEpoch).Count(p => p.First != p.Second), "positions changed by the epoch");
        Assert.IsGreaterThan(a.Length / 2, a.Zip(otherSeed).Count(p => p.First != p.Second), "positions changed by the seed");
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void Fill_Partitions_KeepEachPartitionsBlocksInTurn(SampleOrder order)
    {
        // Partition p owns the samples of chunks [p * C / P, (p + 1) * C / P); block t of the epoch comes from
        // partition t mod P while every partition has samples left.
        const int P = 3;
        const int Block = 8;
        long[] whole = Whole(new EpochOrder(Layout, order, 5, 2, P, 4, Block));
        long[] bounds = [.. Enumerable.Range(0, P + 1).Select(p => Layout.ChunkStarts[p * Layout.ChunkCount / P])];
        int PartitionOf(long sample) => Array.FindLastIndex(bounds, b => b <= sample);
        long shortest = Enumerable.Range(0, P).Min(p => bounds[p + 1] - bounds[p]);
        long rounds = shortest / Block;
        for (int i = 0; i < rounds * P * Block; i++)
        {
            Assert.AreEqual(i / Block % P, PartitionOf(whole[i]), $"position {i}");
        }
    }

    private static long[] Whole(EpochOrder order)
    {
        long[] all = new long[order.SampleCount];
        order.Fill(0, all);
        return all;
    }
}
