using ShardStore.Internals.Loading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;
using ShardStore.Tests.Transforms.Infrastructure;

namespace ShardStore.Tests.Loading;

/// <summary>
/// Transforms draw from a generator keyed by (seed, epoch, global sample index, position), so a transform that uses
/// randomness gives byte-identical batches whatever the worker count, world size, assembly or resume point.
/// </summary>
public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_TransformSameEpochTwice_ByteIdenticalBatches(SampleOrder order)
    {
        ShardLoaderOptions options = MixedNoiseOptions(order);

        List<TransformedBatch> first = TransformHarness.Run(Mixed, options);
        List<TransformedBatch> second = TransformHarness.Run(Mixed, options with { Transforms = [new NoiseTransform("x", "tokens")] });

        TransformHarness.AssertSameBytes(first, second, "second run:");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_TransformOneOrTwoWorkers_ByteIdenticalBatches(SampleOrder order)
    {
        ShardLoaderOptions options = MixedNoiseOptions(order) with { Epochs = 2 };

        List<TransformedBatch> one = TransformHarness.Run(Mixed, options with { DecodeWorkers = 1 });
        List<TransformedBatch> two = TransformHarness.Run(Mixed, options with { DecodeWorkers = 2 });

        TransformHarness.AssertSameBytes(one, two, "two workers:");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_TransformWorldSizeOneOrThree_SameBytesForEverySampleOfTheGlobalOrder(SampleOrder order)
    {
        ShardLoaderOptions options = MixedNoiseOptions(order) with { LogicalPartitions = 3 };
        List<TransformedBatch> single = TransformHarness.Run(Mixed, options);
        var ranks = new List<TransformedBatch>();
        for (int rank = 0; rank < 3; rank++)
        {
            ranks.AddRange(TransformHarness.Run(Mixed, options with { WorldSize = 3, Rank = rank }));
        }

        CollectionAssert.AreEqual(
            LoaderHarness.GlobalSequence(single.Select(b => b.Record), 0),
            LoaderHarness.GlobalSequence(ranks.Select(b => b.Record), 0),
            "the global order");
        Dictionary<(int, long), byte[]> expected = TransformHarness.Rows(single, OutputSchema(options));
        Dictionary<(int, long), byte[]> actual = TransformHarness.Rows(ranks, OutputSchema(options));
        Assert.HasCount(MixedSamples, actual, "samples over three ranks");
        foreach (((int, long) key, byte[] bytes) in expected)
        {
            CollectionAssert.AreEqual(bytes, actual[key], $"epoch and sample {key}");
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    public void NextBatch_TransformGatherOrScatter_ByteIdenticalBatches(SampleOrder order)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());

        List<TransformedBatch> gathered = TransformHarness.Run(ds, ScatterNoiseOptions(order, scatter: false) with { Epochs = 2 });
        List<TransformedBatch> scattered = TransformHarness.Run(ds, ScatterNoiseOptions(order, scatter: true) with { Epochs = 2 });

        TransformHarness.AssertSameBytes(gathered, scattered, "scatter:");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window, false)]
    [DataRow(SampleOrder.Window, true)]
    [DataRow(SampleOrder.Random, false)]
    public void NextBatch_TransformResumedMidEpoch_ByteIdenticalToTheUninterruptedRun(SampleOrder order, bool scatter)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterNoiseOptions(order, scatter) with { Epochs = 2 };
        List<TransformedBatch> uninterrupted = TransformHarness.Run(ds, options);
        int half = uninterrupted.Count / 4;

        List<TransformedBatch> resumed;
        LoaderState state;
        using (ShardLoader first = ShardLoader.Create(ds, options))
        {
            resumed = TransformHarness.Drain(first, limit: half);
            state = first.GetState();
        }

        resumed.AddRange(TransformHarness.Run(ds, options with { ResumeFrom = state, DecodeWorkers = 1, Transforms = [new NoiseTransform("vec")] }));

        Assert.AreEqual(0, uninterrupted[half].Record.Epoch, "the resume point is inside the first epoch");
        Assert.AreNotEqual(0L, uninterrupted[half].Record.Position, "the resume point is inside the first epoch");
        Assert.HasCount(uninterrupted.Count, resumed);
        for (int i = 0; i < resumed.Count; i++)
        {
            CollectionAssert.AreEqual(uninterrupted[i].Record.Samples, resumed[i].Record.Samples, $"batch {i}: samples");
            for (int f = 0; f < uninterrupted[i].Fields.Length; f++)
            {
                CollectionAssert.AreEqual(uninterrupted[i].Fields[f], resumed[i].Fields[f], $"batch {i}: bytes of field {f}");
            }
        }
    }

    [TestMethod]
    public void NextBatch_TransformTwoEpochs_EverySampleDrawsAgain()
    {
        ShardLoaderOptions options = MixedNoiseOptions(SampleOrder.Window) with { Epochs = 2 };
        Schema schema = OutputSchema(options);
        Dictionary<(int Epoch, long Sample), byte[]> rows = TransformHarness.Rows(TransformHarness.Run(Mixed, options), schema);
        int drawsAt = schema[0].BytesPerSample;

        for (long s = 0; s < MixedSamples; s++)
        {
            byte[] first = rows[(0, s)][drawsAt..(drawsAt + (4 * NoiseTransform.Draws))];
            byte[] second = rows[(1, s)][drawsAt..(drawsAt + (4 * NoiseTransform.Draws))];
            CollectionAssert.AreNotEqual(first, second, $"sample {s}: the draws of epoch 0 and 1");
        }
    }

    private static Schema OutputSchema(ShardLoaderOptions options) => TransformPlan.Create(Mixed.Schema, options)!.Output;
}
