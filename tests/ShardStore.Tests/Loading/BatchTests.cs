using ShardStore.Internals.Loading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

/// <summary><see cref="Batch"/>: what a batch does once disposed.</summary>
[TestClass]
public sealed class BatchTests
{
    private const int Samples = 200;
    private const int BatchSize = 16;

    [TestMethod]
    public void Accessors_AfterDispose_ThrowObjectDisposedException()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, Samples), TestData.ReadOptions());
        using ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Sequential, BatchSize));
        Batch batch = loader.NextBatch()!;
        batch.Dispose();
        batch.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetFixed<float>(0).Length);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetFixed<float>("x").Length);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetFixed2D<float>(0).Height);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetVariable<int>(2).Count);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetBytes(1).Length);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.SampleIndices.Length);
    }

    [TestMethod]
    public void Spans_ReadAfterDispose_ShowPoisonInDebugBuilds()
    {
#if DEBUG
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, Samples), TestData.ReadOptions());
        using ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Sequential, BatchSize) with { Epochs = 1 });
        long last = loader.TotalBatches!.Value - 1;
        LoaderHarness.Drain(loader, limit: (int)last);

        // The last batch: no worker fills a slot after it, so what the span shows after dispose is the slot's own bytes.
        Batch batch = loader.NextBatch()!;
        Assert.AreEqual(last, batch.Sequence);
        ReadOnlySpan<byte> x = batch.GetBytes(0);
        ReadOnlySpan<byte> tokens = batch.GetBytes(2);
        ReadOnlySpan<long> offsets = batch.GetVariable<int>(2).Offsets;
        Assert.IsTrue(x.ContainsAnyExcept(BatchSlot.PoisonByte), "x holds values before dispose");
        batch.Dispose();

        Assert.IsFalse(x.ContainsAnyExcept(BatchSlot.PoisonByte), "x after dispose");
        Assert.IsFalse(tokens.ContainsAnyExcept(BatchSlot.PoisonByte), "token values after dispose");
        foreach (long o in offsets)
        {
            Assert.AreEqual(unchecked((long)0xDDDD_DDDD_DDDD_DDDDUL), o, "token offsets after dispose");
        }
#else
        Assert.Inconclusive("Slots are poisoned on dispose in Debug builds only.");
#endif
    }
}
