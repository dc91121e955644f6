using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

/// <summary><see cref="DatasetSplit"/>: disjoint, covering splits by range and hash, and loaders over them.</summary>
[TestClass]
public sealed partial class DatasetSplitTests
{
    private const int Samples = 403;
    private const int B = 8;

    private static TempDirectory? s_dir;
    private static ShardDataset? s_dataset;

    private static ShardDataset Dataset => s_dataset ?? throw new InvalidOperationException("ClassInitialize did not run.");

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_dataset = ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, Samples, CodecKind.Lz4, "ds"), TestData.ReadOptions());
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        s_dataset?.Dispose();
        s_dir?.Dispose();
    }

    [TestMethod]
    [DataRow(SplitMethod.Range, 0UL)]
    [DataRow(SplitMethod.Hash, 7UL)]
    [DataRow(SplitMethod.Hash, 12345678901UL)]
    public void Partition_ThreeParts_DisjointAndCoverTheDataset(SplitMethod method, ulong key)
    {
        IReadOnlyList<DatasetSplit> splits = DatasetSplit.Partition(Dataset, method, ["train", "validation", "test"], [0.8, 0.1, 0.1], key);
        int[] owner = new int[Samples];
        Array.Fill(owner, -1);
        for (int k = 0; k < splits.Count; k++)
        {
            DatasetSplit split = splits[k];
            long previous = -1;
            for (long j = 0; j < split.SampleCount; j++)
            {
                long i = split.GetDatasetIndex(j);
                Assert.IsGreaterThan(previous, i, $"{split.Name}: dataset order");
                previous = i;
                Assert.AreEqual(-1, owner[i], $"sample {i} is in {split.Name} and in split {owner[i]}");
                owner[i] = k;
                Assert.AreEqual(j, split.GetSplitIndex(i), $"{split.Name}: split index of sample {i}");
            }
        }

        for (int i = 0; i < Samples; i++)
        {
            Assert.AreNotEqual(-1, owner[i], $"sample {i} is in no split");
            for (int k = 0; k < splits.Count; k++)
            {
                Assert.AreEqual(owner[i] == k, splits[k].Contains(i), $"{splits[k].Name}.Contains({i})");
            }
        }

        if (method == SplitMethod.Range)
        {
            CollectionAssert.AreEqual(new long[] { 323, 40, 40 }, splits.Select(s => s.SampleCount).ToArray(), "322.4 / 40.3 / 40.3: the leftover to the largest remainder");
        }
        else
        {
            Assert.IsGreaterThan(260L, splits[0].SampleCount, "about 80% in train");
            Assert.AreNotEqual(
                string.Join(',', Enumerable.Range(0, 20).Select(i => splits[1].Contains(i))),
                string.Join(',', Enumerable.Range(0, 20).Select(i => DatasetSplit.Partition(Dataset, method, ["a", "b"], [0.9, 0.1], key + 1)[1].Contains(i))),
                "another key chooses other samples");
        }
    }

    [TestMethod]
    public void ByHash_SameKeyAndRange_SameSamples()
    {
        DatasetSplit a = DatasetSplit.ByHash(Dataset, "v", 99, 0.25, 0.5);
        DatasetSplit b = DatasetSplit.ByHash(Dataset, "v", 99, 0.25, 0.5);
        Assert.AreEqual(a.SampleCount, b.SampleCount);
        Assert.AreEqual(a.Definition, b.Definition);
        for (long j = 0; j < a.SampleCount; j++)
        {
            Assert.AreEqual(a.GetDatasetIndex(j), b.GetDatasetIndex(j));
        }
    }

    [TestMethod]
    public void ByRange_OutsideTheDataset_Throws()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DatasetSplit.ByRange(Dataset, "x", 400, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DatasetSplit.ByHash(Dataset, "x", 1, 0.5, 0.4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DatasetSplit.ByRange(Dataset, "x", 0, 5).GetSplitIndex(7));
    }

    [TestMethod]
    [DataRow(SplitMethod.Range, 1)]
    [DataRow(SplitMethod.Hash, 3)]
    public void CreateValidation_EveryRank_WalksTheSplitInOrderOnce(SplitMethod method, int worldSize)
    {
        DatasetSplit validation = DatasetSplit.Partition(Dataset, method, ["train", "validation"], [0.7, 0.3], key: 5)[1];
        var seen = new List<(long Position, long Index, long Local)>();
        long? perRank = null;
        for (int rank = 0; rank < worldSize; rank++)
        {
            ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Random, B) with { WorldSize = worldSize, Rank = rank, Epochs = 5, LogicalPartitions = 3 };
            using ShardLoader loader = ShardLoader.CreateValidation(validation, options);
            long batches = 0;
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    LoaderHarness.AssertMixedValues(batch);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        seen.Add((batch.Position + i, batch.SampleIndices[i], batch.Sources[i].Index));
                    }

                    batches++;
                }
            }

            perRank ??= batches;
            Assert.AreEqual(perRank, batches, $"rank {rank}: batch count");
        }

        (long Position, long Index, long Local)[] ordered = [.. seen.OrderBy(s => s.Position)];
        Assert.HasCount((int)validation.SampleCount, ordered, "each sample once");
        for (int j = 0; j < ordered.Length; j++)
        {
            Assert.AreEqual(j, ordered[j].Position, "positions tile the epoch");
            Assert.AreEqual(j, ordered[j].Local, "the split's samples in order");
            Assert.AreEqual(validation.GetDatasetIndex(j), ordered[j].Index, "dataset index of each");
        }
    }

    [TestMethod]
    [DataRow(SplitMethod.Range, SampleOrder.Window)]
    [DataRow(SplitMethod.Hash, SampleOrder.Window)]
    [DataRow(SplitMethod.Hash, SampleOrder.Random)]
    public void Create_SplitInAMixture_EachEpochReadsOnlyTheSplitsSamples(SplitMethod method, SampleOrder order)
    {
        IReadOnlyList<DatasetSplit> parts = DatasetSplit.Partition(Dataset, method, ["train", "test"], [0.75, 0.25], key: 17);
        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Sampled(parts[0], parts[0].SampleCount), MixtureStream.Sampled(parts[1], 50)]);
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { Epochs = 2, LogicalPartitions = 2 };
        using ShardLoader loader = ShardLoader.Create(mixture, options);
        var train = new List<long>();
        long test = 0;
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    SampleSource source = batch.Sources[i];
                    long datasetIndex = parts[source.Stream].GetDatasetIndex(source.Index);
                    using SampleLease expected = Dataset.ReadSample(datasetIndex);
                    CollectionAssert.AreEqual(expected.Get<float>(0).ToArray(), batch.GetFixed<float>(0).Slice(i * 12, 12).ToArray(), $"x of {source}");
                    Assert.AreEqual(expected.Get<long>(1)[0], batch.GetFixed<long>(1)[i], $"label of {source}");
                    if (source.Stream == 0)
                    {
                        train.Add(datasetIndex);
                    }
                    else
                    {
                        test++;
                        Assert.IsTrue(parts[1].Contains(datasetIndex), $"{source} is a test sample");
                    }
                }
            }
        }

        Assert.AreEqual(100L, test, "50 test samples per epoch");
        CollectionAssert.AreEquivalent(
            Enumerable.Range(0, Samples).Select(i => (long)i).Where(parts[0].Contains).Concat(Enumerable.Range(0, Samples).Select(i => (long)i).Where(parts[0].Contains)).ToArray(),
            train.ToArray(),
            "each epoch reads every train sample once");
    }
}
