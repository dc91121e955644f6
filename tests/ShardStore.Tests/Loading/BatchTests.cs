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
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetFixed2D<float>("x").Height);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetVariable<int>("tokens").Count);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetBytes("label").Length);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.SampleIndices.Length);
    }

    [TestMethod]
    public void GetFixed2D_ByName_SameViewAsByIndex()
    {
        WithFirstBatch(batch =>
        {
            CommunityToolkit.HighPerformance.ReadOnlySpan2D<float> byName = batch.GetFixed2D<float>("x");

            Assert.AreEqual(BatchSize, byName.Height);
            Assert.AreEqual(12, byName.Width);
            CollectionAssert.AreEqual(batch.GetFixed2D<float>(0).ToArray(), byName.ToArray());
            Assert.ThrowsExactly<KeyNotFoundException>(() => batch.GetFixed2D<float>("missing").Height);
        });
    }

    [TestMethod]
    public void GetVariable_ByName_SameViewAsByIndex()
    {
        WithFirstBatch(batch =>
        {
            VariableFieldView<int> byName = batch.GetVariable<int>("tokens");

            VariableFieldView<int> byIndex = batch.GetVariable<int>(2);
            CollectionAssert.AreEqual(byIndex.Offsets.ToArray(), byName.Offsets.ToArray());
            CollectionAssert.AreEqual(byIndex.Values.ToArray(), byName.Values.ToArray());
            Assert.ThrowsExactly<KeyNotFoundException>(() => batch.GetVariable<int>("missing").Count);
        });
    }

    [TestMethod]
    public void GetShape_ByName_BatchCountThenFieldShape()
    {
        WithFirstBatch(batch =>
        {
            CollectionAssert.AreEqual(new[] { BatchSize, 4, 3 }, batch.GetShape("x"));
            CollectionAssert.AreEqual(new[] { BatchSize }, batch.GetShape("label"));
            Assert.ThrowsExactly<ArgumentException>(() => batch.GetShape("tokens"));
            Assert.ThrowsExactly<KeyNotFoundException>(() => batch.GetShape("missing"));
        });
    }

    [TestMethod]
    public void GetBytes_ByName_SameBytesAsByIndex()
    {
        WithFirstBatch(batch =>
        {
            Assert.AreEqual(BatchSize * sizeof(long), batch.GetBytes("label").Length);
            Assert.IsTrue(batch.GetBytes("label").SequenceEqual(batch.GetBytes(1)));
            Assert.IsTrue(batch.GetBytes("tokens").SequenceEqual(batch.GetBytes(2)));
            Assert.ThrowsExactly<KeyNotFoundException>(() => batch.GetBytes("missing").Length);
        });
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

    // Runs the checks on the first batch of a Sequential loader over a fresh mixed-schema dataset.
    private static void WithFirstBatch(Action<Batch> check)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, Samples), TestData.ReadOptions());
        using ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Sequential, BatchSize));
        using Batch batch = loader.NextBatch()!;
        check(batch);
    }
}
