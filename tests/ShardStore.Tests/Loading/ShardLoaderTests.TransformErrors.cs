using ShardStore.Internals.Loading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;
using ShardStore.Tests.Transforms.Infrastructure;
using ShardStore.Transforms;

namespace ShardStore.Tests.Loading;

/// <summary>
/// A sample a transform rejects (<see cref="InvalidDataException"/>): by default the loader delivers every batch before
/// it and then throws naming the sample, shard and chunk; with the skip policy the sample keeps its place with
/// zero-filled outputs and is counted and reported. Other exceptions stop the loader as they are.
/// </summary>
public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(SampleOrder.Window, false)]
    [DataRow(SampleOrder.Random, false)]
    [DataRow(SampleOrder.Window, true)]
    [DataRow(SampleOrder.Sequential, true)]
    public void NextBatch_TransformRejectsSample_DeliversEarlierBatchesThenThrowsNamingSampleShardAndChunk(SampleOrder order, bool scatter)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterNoiseOptions(order, scatter);
        List<TransformedBatch> intact = TransformHarness.Run(ds, options);
        int bad = intact.Count / 2;
        long sample = intact[bad].Record.Samples[1];
        (int shard, int chunk) = TransformHarness.Locate(ds, sample);

        ShardLoader loader = ShardLoader.Create(ds, options with { Transforms = [new NoiseTransform("vec") { Rejected = [sample] }] });
        using (loader)
        {
            List<TransformedBatch> before = TransformHarness.Drain(loader, limit: bad);
            TransformHarness.AssertSameBytes(intact[..bad], before, "before the rejected sample:");

            InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => loader.NextBatch());
            ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
            Assert.Contains($"global sample {sample}", e.Message);
            Assert.Contains(nameof(NoiseTransform), e.Message);
            Assert.Contains("no start-of-image marker", e.Message);
            Assert.IsInstanceOfType<InvalidDataException>(e.InnerException);

            // The loader has stopped: every later call reports the same problem.
            InvalidDataException again = Assert.ThrowsExactly<InvalidDataException>(() => loader.NextBatch());
            Assert.Contains($"global sample {sample}", again.Message);
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    [DataRow(SampleOrder.Window, false)]
    [DataRow(SampleOrder.Random, false)]
    [DataRow(SampleOrder.Window, true)]
    public void NextBatch_TransformRejectsSamplesWithSkip_KeepsOrderAndShapesZeroFillsCountsAndReports(SampleOrder order, bool scatter)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterNoiseOptions(order, scatter) with { TransformErrors = TransformErrorPolicy.Skip };
        List<TransformedBatch> intact = TransformHarness.Run(ds, options);
        int bad = intact.Count / 2;
        long[] rejected = [intact[bad].Record.Samples[3], intact[bad].Record.Samples[0], intact[bad + 1].Record.Samples[5]];

        List<TransformedBatch> skipping;
        ShardLoader loader = ShardLoader.Create(ds, options with { Transforms = [new NoiseTransform("vec") { Rejected = [.. rejected] }] });
        using (loader)
        {
            skipping = TransformHarness.Drain(loader, b => AssertScatterNoise(b, options.Seed));
            Assert.AreEqual(3L, loader.Statistics.SkippedSamples, "skipped samples counted");
        }

        LoaderHarness.AssertReleased(loader, ds);
        LoaderHarness.AssertSameBatches([.. intact.Select(b => b.Record)], [.. skipping.Select(b => b.Record)], "the order:");
        for (int i = 0; i < intact.Count; i++)
        {
            int[] expected = i == bad ? [0, 3] : i == bad + 1 ? [5] : [];
            CollectionAssert.AreEqual(expected, skipping[i].Skipped, $"batch {i}: skipped positions");
            if (expected.Length == 0)
            {
                TransformHarness.AssertSameBytes([intact[i]], [skipping[i]], $"batch {i}:");
            }
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void NextBatch_TransformThrowsOtherExceptionWithSkip_StopsWithThatException(bool scatter)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterNoiseOptions(SampleOrder.Window, scatter) with
        {
            TransformErrors = TransformErrorPolicy.Skip,
            Transforms = [new NoiseTransform("vec") { Broken = [ScatterSamples / 2] }],
        };

        ShardLoader loader = ShardLoader.Create(ds, options);
        using (loader)
        {
            Assert.ThrowsExactly<FormatException>(() => TransformHarness.Drain(loader));
            Assert.AreEqual(0L, loader.Statistics.SkippedSamples, "nothing skipped");
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    public void NextBatch_NoTransforms_NothingSkipped()
    {
        using ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Random, CoverageBatch));
        using Batch batch = loader.NextBatch()!;

        Assert.AreEqual(0, batch.SkippedPositions.Length);
        Assert.AreEqual(0L, loader.Statistics.SkippedSamples);
    }
}
