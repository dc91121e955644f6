using ShardStore.Compression;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    [TestMethod]
    public void Create_BudgetOneByteBelowTheMinimum_ThrowsArgumentException()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, 300, CodecKind.Lz4), TestData.ReadOptions());
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16);

        long minimum = MinimumBudget(ds, options);

        // The documented minimum: every batch slot plus one decoded chunk per decode worker.
        var layout = new ChunkIndex(ds);
        Assert.IsGreaterThan(0L, layout.MaxDecodedChunkBytes, "the dataset has compressed chunks");
        long slots = (options.PrefetchDepth + 1) * BatchSlot.InitialBytes(ds.Schema, options.BatchSize);
        Assert.AreEqual(slots + LoaderMemoryPlan.WorkerBufferBytesFor(options, layout, scatter: true), minimum);
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(ds, options with { MemoryBudgetBytes = minimum - 1 }));
        Assert.Contains("MemoryBudgetBytes", e.Message);
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_Lz4JustAboveMinimumBudget_StaysWithinBudgetAndDeliversEverySample(SampleOrder order)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, MixedSamples, CodecKind.Lz4), TestData.ReadOptions());
        ShardLoaderOptions options = LoaderHarness.Options(order, CoverageBatch) with { Epochs = 2, WindowChunks = 8 };
        long budget = MinimumBudget(ds, options) + 4096;

        ShardLoader loader = ShardLoader.Create(ds, options with { MemoryBudgetBytes = budget });
        List<BatchRecord> batches;
        using (loader)
        {
            batches = LoaderHarness.Drain(loader);
        }

        LoaderHarness.AssertReleased(loader, ds);
        long[] all = [.. Enumerable.Range(0, MixedSamples).Select(i => (long)i)];
        CollectionAssert.AreEquivalent(all, LoaderHarness.Samples(batches.Where(b => b.Epoch == 0)), "epoch 0");
        CollectionAssert.AreEquivalent(all, LoaderHarness.Samples(batches.Where(b => b.Epoch == 1)), "epoch 1");
        ShardLoaderStatistics stats = loader.Statistics;
        Assert.IsLessThanOrEqualTo(budget, stats.PeakMemoryBytes, "peak memory");
        Assert.IsGreaterThan(budget / 2, stats.PeakMemoryBytes, "peak memory: the slots and chunk buffers were allocated");
        Assert.IsGreaterThanOrEqualTo(ds.ChunkCount * 2, stats.ChunksLoaded, "every chunk decoded at least once per epoch");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_VariableSamplesOutgrowTheSlots_GrowsSlotsWithinBudget(SampleOrder order)
    {
        // 2 to 16 KB of tokens per sample: a batch of 16 needs up to 256 KB, far beyond a slot's initial 64 KB.
        const int Samples = 360;
        const int B = 16;
        var schema = new Schema(FieldSpec.Fixed("id", DType.I64), FieldSpec.Variable("tokens", DType.I32));
        static int Length(long i) => 500 + (int)(i * 7919 % 3500);
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        using (DatasetWriter w = DatasetWriter.Create(path, schema, TestData.Options(CodecKind.Lz4, chunkBytes: 32 << 10, shardBytes: 1 << 20)))
        {
            for (long i = 0; i < Samples; i++)
            {
                w.WriteScalar(0, i);
                w.Write<int>(1, Enumerable.Range(0, Length(i)).Select(k => (int)((i * 31) + (k % 5))).ToArray());
                w.EndSample();
            }

            w.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        // One decode worker: the only thread that takes from the budget, so the run is the same every time.
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { DecodeWorkers = 1 };
        long slotCount = options.PrefetchDepth + 1;
        long largestBatch = B * (long)Enumerable.Range(0, Samples).Max(i => Length(i)) * sizeof(int);

        // Room for every slot to hold the largest batch there can be, on top of what Create requires.
        long budget = MinimumBudget(ds, options) + (slotCount * ((largestBatch + 4095) / 4096 * 4096));

        ShardLoader loader = ShardLoader.Create(ds, options with { MemoryBudgetBytes = budget });
        var seen = new HashSet<long>();
        using (loader)
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    ReadOnlySpan<long> ids = batch.GetFixed<long>(0);
                    VariableFieldView<int> tokens = batch.GetVariable<int>(1);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        long s = batch.SampleIndices[i];
                        Assert.AreEqual(s, ids[i], "id");
                        Assert.IsTrue(seen.Add(s), $"sample {s} twice");
                        ReadOnlySpan<int> t = tokens[i];
                        Assert.AreEqual(Length(s), t.Length, $"tokens of sample {s}");
                        for (int k = 0; k < t.Length; k++)
                        {
                            if (t[k] != (int)((s * 31) + (k % 5)))
                            {
                                Assert.Fail($"token {k} of sample {s} is {t[k]}");
                            }
                        }
                    }
                }
            }
        }

        LoaderHarness.AssertReleased(loader, ds);
        Assert.HasCount(Samples, seen);
        ShardLoaderStatistics stats = loader.Statistics;
        Assert.IsGreaterThan(64L << 10, stats.Bytes / stats.Batches, "average batch bytes: the slots had to grow");
        Assert.IsLessThanOrEqualTo(budget, stats.PeakMemoryBytes, "peak memory");
    }

    /// <summary>Finds the smallest budget <see cref="ShardLoader.Create"/> accepts for these options, by bisection.</summary>
    private static long MinimumBudget(ShardDataset ds, ShardLoaderOptions options)
    {
        long lo = 1;
        long hi = 1L << 30;
        Assert.IsTrue(Accepts(hi), "Create accepts 1 GiB");
        while (lo < hi)
        {
            long mid = lo + ((hi - lo) / 2);
            if (Accepts(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;

        bool Accepts(long budget)
        {
            try
            {
                ShardLoader.Create(ds, options with { MemoryBudgetBytes = budget }).Dispose();
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
