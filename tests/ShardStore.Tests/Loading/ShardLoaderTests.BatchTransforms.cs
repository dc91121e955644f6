using ShardStore.Internals.Loading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;
using ShardStore.Tests.Transforms.Infrastructure;
using ShardStore.Transforms;

namespace ShardStore.Tests.Loading;

/// <summary>Per-batch steps (<see cref="ShardLoaderOptions.BatchTransforms"/>): run once per batch after its samples, keyed by the batch's position.</summary>
public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(SampleOrder.Sequential, false)]
    [DataRow(SampleOrder.Window, false)]
    [DataRow(SampleOrder.Window, true)]
    public void NextBatch_BatchTransform_RunsOnceOnEveryBatchAfterItsSamples(SampleOrder order, bool scatter)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions plain = ScatterNoiseOptions(order, scatter) with { Epochs = 2 };
        ShardLoaderOptions shifted = plain with { BatchTransforms = [new ShiftDrawsBatchTransform()] };

        List<TransformedBatch> before = TransformHarness.Run(ds, plain);
        List<TransformedBatch> after = TransformHarness.Run(ds, shifted);

        LoaderHarness.AssertSameBatches([.. before.Select(b => b.Record)], [.. after.Select(b => b.Record)], "the order:");
        int draws = TransformPlan.Create(ds.Schema, plain)!.Output.GetIndex("draws");
        for (int b = 0; b < before.Count; b++)
        {
            BatchRecord record = before[b].Record;
            var random = new TransformRandom(plain.Seed, record.Epoch, record.Position, -1);
            int offset = random.NextInt32(100);
            int[] expected = [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(before[b].Fields[draws]).ToArray().Select((d, i) => d + offset + (i / NoiseTransform.Draws))];
            CollectionAssert.AreEqual(expected, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(after[b].Fields[draws]).ToArray(), $"batch {b}: shifted draws");
        }
    }

    [TestMethod]
    public void NextBatch_BatchTransformGatherOrScatter_ByteIdenticalBatches()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());

        List<TransformedBatch> gathered = TransformHarness.Run(ds, ScatterNoiseOptions(SampleOrder.Window, scatter: false) with { BatchTransforms = [new ShiftDrawsBatchTransform()] });
        List<TransformedBatch> scattered = TransformHarness.Run(ds, ScatterNoiseOptions(SampleOrder.Window, scatter: true) with { BatchTransforms = [new ShiftDrawsBatchTransform()] });

        TransformHarness.AssertSameBytes(gathered, scattered, "scatter:");
    }

    [TestMethod]
    public void Create_BatchTransformRefusesSchema_ThrowsItsArgumentException()
    {
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() =>
            ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Window, CoverageBatch) with { BatchTransforms = [new ShiftDrawsBatchTransform()] }));

        Assert.Contains("'draws'", e.Message);
    }

    [TestMethod]
    public void Create_BatchTransformsWithZeroCopy_ThrowsArgumentException()
    {
        ShardLoaderOptions options = MixedNoiseOptions(SampleOrder.Sequential) with { Transforms = null, ZeroCopy = true, BatchTransforms = [new ShiftDrawsBatchTransform()] };

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, options));

        Assert.Contains("ZeroCopy", e.Message);
    }
}
