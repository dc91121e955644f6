using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;
using ShardStore.Tests.Transforms.Infrastructure;
using ShardStore.Transforms;

namespace ShardStore.Tests.Loading;

/// <summary><see cref="SampleTransformer"/>: one worker's transform stage, on its own.</summary>
[TestClass]
public sealed unsafe class SampleTransformerTests
{
    private const int Count = 32;

    [TestMethod]
    public void FillFromStaging_AfterTheFirstBatch_AllocatesNothing()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, 100), TestData.ReadOptions());
        var options = new ShardLoaderOptions { Seed = 5, Transforms = [new NoiseTransform("x", "tokens")] };
        TransformPlan plan = TransformPlan.Create(ds.Schema, options)!;
        var budget = new MemoryBudget(64 << 20);
        using BatchSlot slot = BatchSlot.TryCreate(plan.Output, Count, budget, 0)!;
        using var transformer = new SampleTransformer(plan, ds, new ChunkIndex(ds), options, BatchSlot.TryCreate(ds.Schema, Count, budget, 1));
        Stage(transformer.Staging!);

        transformer.FillFromStaging(slot, epoch: 0, Count);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 1; epoch <= 10; epoch++)
        {
            transformer.FillFromStaging(slot, epoch, Count);
        }

        Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before, "bytes allocated by ten batches");
        var random = new TransformRandom(5, 10, 7, 0);
        (float[] values, _) = NoiseTransform.Expected(TestData.Features(7), ref random);
        CollectionAssert.AreEqual(values, new ReadOnlySpan<float>(slot.Data(0) + (7 * 48), 12).ToArray(), "sample 7 of the last batch");
    }

    [TestMethod]
    public void FillFromStaging_TransformRejectsWithSkip_ZeroFillsAndRecordsThePosition()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, 100), TestData.ReadOptions());
        var options = new ShardLoaderOptions { TransformErrors = TransformErrorPolicy.Skip, Transforms = [new NoiseTransform("x", "tokens") { Rejected = [9, 20] }] };
        TransformPlan plan = TransformPlan.Create(ds.Schema, options)!;
        var budget = new MemoryBudget(64 << 20);
        using BatchSlot slot = BatchSlot.TryCreate(plan.Output, Count, budget, 0)!;
        using var transformer = new SampleTransformer(plan, ds, new ChunkIndex(ds), options, BatchSlot.TryCreate(ds.Schema, Count, budget, 1));
        Stage(transformer.Staging!);
        new Span<byte>(slot.Data(0), Count * 48).Fill(0xAB);

        transformer.FillFromStaging(slot, epoch: 0, Count);

        CollectionAssert.AreEqual(new[] { 9, 20 }, slot.Skipped[..slot.SkippedCount]);
        Assert.IsTrue(new ReadOnlySpan<byte>(slot.Data(0) + (9 * 48), 48).IndexOfAnyExcept((byte)0) < 0, "x of a skipped sample is zero");
        Assert.AreEqual(9L * 3, ((long*)slot.Data(plan.Output.GetIndex("label")))[9], "label passed through");
        Assert.AreNotEqual(0f, ((float*)slot.Data(0))[(10 * 12) + 3], "the next sample is transformed");
    }

    // Samples 0..Count-1 of the mixed dataset in the staging slot, as a gather leaves them (no tokens).
    private static void Stage(BatchSlot staging)
    {
        for (int i = 0; i < Count; i++)
        {
            staging.SampleIndices[i] = i;
            TestData.Features(i).CopyTo(new Span<float>(staging.Data(0) + (i * 48), 12));
            ((long*)staging.Data(1))[i] = i * 3;
        }

        new Span<long>(staging.Offsets(2), Count + 1).Clear();
        staging.Lengths[0] = Count * 48;
        staging.Lengths[1] = Count * 8;
        staging.Lengths[2] = 0;
    }
}
