using ShardStore.Internals.Reading;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_SameOptionsTwice_DeliversIdenticalBatches(SampleOrder order)
    {
        ShardLoaderOptions options = LoaderHarness.Options(order, CoverageBatch, seed: 99) with { WorldSize = 3, Rank = 1, LogicalPartitions = 4, Epochs = 2 };

        List<BatchRecord> first = LoaderHarness.Run(Mixed, options);
        List<BatchRecord> second = LoaderHarness.Run(Mixed, options with { DecodeWorkers = 1, PrefetchDepth = 1 });

        LoaderHarness.AssertSameBatches(first, second);
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_ShuffledOrderNextEpoch_IsAnotherPermutation(SampleOrder order)
    {
        List<BatchRecord> run = LoaderHarness.Run(Mixed, LoaderHarness.Options(order, CoverageBatch) with { Epochs = 2 });
        long[] epoch0 = LoaderHarness.Samples(run.Where(b => b.Epoch == 0));
        long[] epoch1 = LoaderHarness.Samples(run.Where(b => b.Epoch == 1));

        CollectionAssert.AreEquivalent(Enumerable.Range(0, MixedSamples).Select(i => (long)i).ToArray(), epoch0, "epoch 0 is a permutation");
        CollectionAssert.AreEquivalent(epoch0, epoch1, "epoch 1 is a permutation");
        Assert.IsGreaterThan(MixedSamples / 2, epoch0.Zip(epoch1).Count(p => p.First != p.Second), "positions whose sample changed between epochs");
        Assert.IsGreaterThan(MixedSamples / 2, epoch0.Select((s, i) => s != i).Count(c => c), "samples not at their dataset position");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_OtherSeed_DeliversAnotherOrder(SampleOrder order)
    {
        long[] seed1 = LoaderHarness.Samples(LoaderHarness.Run(Mixed, LoaderHarness.Options(order, CoverageBatch, seed: 1)));
        long[] seed2 = LoaderHarness.Samples(LoaderHarness.Run(Mixed, LoaderHarness.Options(order, CoverageBatch, seed: 2)));

        CollectionAssert.AreEquivalent(seed1, seed2);
        Assert.IsGreaterThan(MixedSamples / 2, seed1.Zip(seed2).Count(p => p.First != p.Second), "positions whose sample differs between seeds");
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, false, 0)]
    [DataRow(SampleOrder.Window, true, 0)]
    [DataRow(SampleOrder.Window, false, 2)]
    [DataRow(SampleOrder.Random, false, 0)]
    public void PlanEpoch_AnyOrderAndRank_ListsTheBatchesTheLoaderDelivers(SampleOrder order, bool dropLast, int pieceSamples)
    {
        ShardLoaderOptions options = LoaderHarness.Options(order, CoverageBatch) with
        {
            WorldSize = 3,
            Rank = 2,
            LogicalPartitions = 4,
            DropLast = dropLast,
            Epochs = 2,
            WindowPieceSamples = pieceSamples > 0 ? pieceSamples : null,
        };
        List<BatchRecord> delivered = LoaderHarness.Run(Mixed, options);

        for (int epoch = 0; epoch < 2; epoch++)
        {
            long[][] planned = [.. ShardLoader.PlanEpoch(Mixed, options, epoch)];
            BatchRecord[] actual = [.. delivered.Where(b => b.Epoch == epoch)];
            Assert.HasCount(actual.Length, planned, $"epoch {epoch}: batches");
            for (int k = 0; k < planned.Length; k++)
            {
                CollectionAssert.AreEqual(actual[k].Samples, planned[k], $"epoch {epoch} batch {k}");
            }
        }
    }

    [TestMethod]
    public void NextBatch_SequentialOneRankOnePartition_IsDatasetOrderInEveryEpoch()
    {
        List<BatchRecord> run = LoaderHarness.Run(Mixed, LoaderHarness.Options(SampleOrder.Sequential, CoverageBatch, seed: 5) with { Epochs = 2 });

        long[] datasetOrder = [.. Enumerable.Range(0, MixedSamples).Select(i => (long)i)];
        CollectionAssert.AreEqual(datasetOrder, LoaderHarness.Samples(run.Where(b => b.Epoch == 0)));
        CollectionAssert.AreEqual(datasetOrder, LoaderHarness.Samples(run.Where(b => b.Epoch == 1)));
    }

    [TestMethod]
    public void NextBatch_SequentialFourPartitions_TakesBlocksFromThePartitionsInTurn()
    {
        const int Partitions = 4;
        var layout = new ChunkIndex(Mixed);
        var queues = new List<Queue<long>>();
        for (int p = 0; p < Partitions; p++)
        {
            // Partition p holds the consecutive chunks [p * C / P, (p + 1) * C / P).
            long from = layout.ChunkStarts[p * layout.ChunkCount / Partitions];
            long to = layout.ChunkStarts[(p + 1) * layout.ChunkCount / Partitions];
            queues.Add(new Queue<long>(Enumerable.Range((int)from, (int)(to - from)).Select(i => (long)i)));
        }

        var expected = new List<long>();
        while (queues.Any(q => q.Count > 0))
        {
            foreach (Queue<long> q in queues)
            {
                for (int i = 0; i < CoverageBatch && q.Count > 0; i++)
                {
                    expected.Add(q.Dequeue());
                }
            }
        }

        long[] actual = LoaderHarness.Samples(LoaderHarness.Run(Mixed, LoaderHarness.Options(SampleOrder.Sequential, CoverageBatch) with { LogicalPartitions = Partitions }));

        CollectionAssert.AreEqual(expected, actual);
    }
}
