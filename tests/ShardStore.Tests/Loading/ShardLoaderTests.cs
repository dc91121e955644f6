using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Loading;

[TestClass]
public sealed class ShardLoaderTests
{
    [TestMethod]
    [DataRow(SampleOrder.Sequential, CodecKind.None)]
    [DataRow(SampleOrder.Window, CodecKind.Lz4)]
    [DataRow(SampleOrder.Random, CodecKind.Zstd)]
    [DataRow(SampleOrder.Random, CodecKind.None)]
    public void NextBatch_EveryOrder_DeliversEverySampleOnceWithItsValues(SampleOrder order, CodecKind codec)
    {
        using var dir = new TempDirectory();
        TestData.WriteMixed(dir.Path, 1000, TestData.Options(codec));
        using ShardDataset dataset = ShardDataset.Open(dir.Path, TestData.ReadOptions());
        var seen = new HashSet<long>();
        using (ShardLoader loader = ShardLoader.Create(dataset, new ShardLoaderOptions { Order = order, BatchSize = 32, Seed = 7, DecodeWorkers = 3, MemoryBudgetBytes = 8 << 20 }))
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    ReadOnlySpan<float> x = batch.GetFixed<float>(0);
                    ReadOnlySpan<long> labels = batch.GetFixed<long>(1);
                    VariableFieldView<int> tokens = batch.GetVariable<int>(2);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        long s = batch.SampleIndices[i];
                        Assert.IsTrue(seen.Add(s), $"sample {s} twice");
                        CollectionAssert.AreEqual(TestData.Features(s), x.Slice(i * 12, 12).ToArray());
                        Assert.AreEqual(s * 3, labels[i]);
                        CollectionAssert.AreEqual(TestData.Tokens(s), tokens[i].ToArray());
                    }
                }
            }
        }

        Assert.HasCount(1000, seen);
        Assert.AreEqual(0, dataset.LiveLeases);
    }
}
