using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

/// <summary>
/// <see cref="ShardLoader"/>: coverage of every sample per epoch over ranks and partitions, and the async stream.
/// The other facets (determinism, resume, memory, lifetime, errors, window mixing) are in the partial files.
/// </summary>
[TestClass]
public sealed partial class ShardLoaderTests
{
    // Not a multiple of any step below, and 899 mod 128 = 3 < 8 ranks, so some ranks get an empty last batch.
    private const int MixedSamples = 899;
    private const int CoverageBatch = 16;

    // A short epoch for the resume tests: 170 samples in about 16 chunks.
    private const int SmallSamples = 170;
    private const int SmallBatch = 16;

    private static readonly Dictionary<(SampleOrder, int, int, int), List<BatchRecord>> s_references = [];
    private static TempDirectory? s_dir;
    private static ShardDataset? s_mixed;
    private static ShardDataset? s_small;

    public static IEnumerable<object[]> CoverageCases =>
        from order in new[] { SampleOrder.Sequential, SampleOrder.Window, SampleOrder.Random }
        from worldSize in new[] { 1, 3, 8 }
        from dropLast in new[] { false, true }
        from partitions in new[] { 1, 4 }
        select new object[] { order, worldSize, dropLast, partitions };

    private static ShardDataset Mixed => s_mixed ?? throw new InvalidOperationException("ClassInitialize did not run.");

    private static ShardDataset Small => s_small ?? throw new InvalidOperationException("ClassInitialize did not run.");

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_mixed = ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, MixedSamples), TestData.ReadOptions());
        Assert.IsGreaterThan(3, s_mixed.Shards.Count, "several shards");
        Assert.IsGreaterThan(40L, s_mixed.ChunkCount, "many chunks");
        s_small = ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, SmallSamples, name: "small"), TestData.ReadOptions());
        Assert.IsGreaterThan(8L, s_small.ChunkCount, "several chunks per window and partition");
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        s_mixed?.Dispose();
        s_small?.Dispose();
        s_dir?.Dispose();
    }

    [TestMethod]
    [DynamicData(nameof(CoverageCases))]
    public void NextBatch_AllRanksOfOneEpoch_DeliverEverySampleExactlyOnce(SampleOrder order, int worldSize, bool dropLast, int partitions)
    {
        ShardDataset ds = Mixed;
        const int B = CoverageBatch;
        long step = (long)worldSize * B;
        long fullSteps = MixedSamples / step;
        long tail = MixedSamples - (fullSteps * step);
        long expectedBatches = fullSteps + (!dropLast && tail > 0 ? 1 : 0);
        var all = new List<BatchRecord>();
        var seen = new HashSet<long>();
        for (int rank = 0; rank < worldSize; rank++)
        {
            ShardLoaderOptions options = LoaderHarness.Options(order, B) with { WorldSize = worldSize, Rank = rank, DropLast = dropLast, LogicalPartitions = partitions };
            List<BatchRecord> batches;
            ShardLoader loader = ShardLoader.Create(ds, options);
            using (loader)
            {
                Assert.AreEqual(expectedBatches, loader.BatchesPerEpoch, $"rank {rank}: BatchesPerEpoch");
                Assert.AreEqual(expectedBatches, loader.TotalBatches, $"rank {rank}: TotalBatches");
                batches = LoaderHarness.Drain(loader);
                Assert.IsNull(loader.NextBatch(), "the end stays the end");
            }

            LoaderHarness.AssertReleased(loader, ds);

            Assert.HasCount((int)expectedBatches, batches, $"rank {rank}: batches");
            for (int k = 0; k < batches.Count; k++)
            {
                BatchRecord b = batches[k];
                (long position, long count) = k < fullSteps
                    ? ((k * step) + ((long)rank * B), B)
                    : ((fullSteps * step) + (rank * tail / worldSize), ((rank + 1) * tail / worldSize) - (rank * tail / worldSize));
                Assert.AreEqual(position, b.Position, $"rank {rank} batch {k}: position");
                Assert.AreEqual(count, b.Count, $"rank {rank} batch {k}: size");
                Assert.AreEqual(0, b.Epoch, $"rank {rank} batch {k}: epoch");
                Assert.AreEqual(k, b.Sequence, $"rank {rank} batch {k}: sequence");
                foreach (long s in b.Samples)
                {
                    Assert.IsTrue(s is >= 0 and < MixedSamples, $"sample {s} out of range");
                    Assert.IsTrue(seen.Add(s), $"sample {s} delivered twice (rank {rank} batch {k})");
                }
            }

            all.AddRange(batches);
        }

        long expectedSamples = dropLast ? fullSteps * step : MixedSamples;
        Assert.HasCount((int)expectedSamples, seen, "distinct samples delivered by all ranks");
        Assert.IsLessThan(step, MixedSamples - seen.Count, "dropped samples");

        // The ranks' batches tile the epoch's global order, which is the one a single rank sees.
        long[] global = LoaderHarness.GlobalSequence(all, 0);
        long[] reference = Reference(order, partitions, CoverageBatch, epochs: 1).SelectMany(b => b.Samples).ToArray();
        CollectionAssert.AreEqual(reference[..global.Length], global, "global order of all ranks vs one rank");
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1, 1)]
    [DataRow(SampleOrder.Window, 3, 4)]
    [DataRow(SampleOrder.Random, 2, 1)]
    public async Task ReadAsync_AwaitForeach_YieldsTheSameBatchesAsNextBatch(SampleOrder order, int worldSize, int partitions)
    {
        ShardLoaderOptions options = LoaderHarness.Options(order, CoverageBatch) with { WorldSize = worldSize, Rank = worldSize - 1, LogicalPartitions = partitions, Epochs = 2 };
        List<BatchRecord> expected = LoaderHarness.Run(Mixed, options);

        var actual = new List<BatchRecord>();
        await using (ShardLoader loader = ShardLoader.Create(Mixed, options))
        {
            await foreach (Batch batch in loader.ReadAllAsync(CancellationToken.None))
            {
                using (batch)
                {
                    actual.Add(LoaderHarness.Record(batch));
                }
            }

            await foreach (Batch batch in loader.ReadAllAsync(CancellationToken.None))
            {
                batch.Dispose();
                Assert.Fail("A finished loader streamed another batch.");
            }

            Assert.AreEqual(actual.Count, loader.Statistics.Batches);
        }

        LoaderHarness.AssertSameBatches(expected, actual);
    }

    /// <summary>Returns the batches of an uninterrupted single-rank run with every sample kept: the epochs' global orders.</summary>
    private static List<BatchRecord> Reference(SampleOrder order, int partitions, int batchSize, int epochs)
    {
        lock (s_references)
        {
            if (!s_references.TryGetValue((order, partitions, batchSize, epochs), out List<BatchRecord>? batches))
            {
                batches = LoaderHarness.Run(Mixed, LoaderHarness.Options(order, batchSize) with { LogicalPartitions = partitions, Epochs = epochs });
                s_references.Add((order, partitions, batchSize, epochs), batches);
            }

            return batches;
        }
    }

    private static long[] ReferenceEpoch(SampleOrder order, int partitions, int batchSize, int epoch) =>
        [.. Reference(order, partitions, batchSize, epochs: 2).Where(b => b.Epoch == epoch).SelectMany(b => b.Samples)];
}
