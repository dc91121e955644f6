using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(SampleOrder.Window, 3, false)]
    [DataRow(SampleOrder.Random, 2, true)]
    public void Ledger_EveryRankToTheEpochEnd_LedgersAddUpToTheDeliveredSamples(SampleOrder order, int worldSize, bool dropLast)
    {
        ShardLoaderOptions options = LoaderHarness.Options(order, SmallBatch) with { WorldSize = worldSize, DropLast = dropLast, Epochs = 2, Ledger = true };
        var delivered = new List<BatchRecord>();
        var finished = new List<LoaderLedger>();
        for (int rank = 0; rank < worldSize; rank++)
        {
            using ShardLoader loader = ShardLoader.Create(Small, options with { Rank = rank });
            delivered.AddRange(LoaderHarness.Drain(loader, checkValues: false));
            LoaderState state = loader.GetState();
            Assert.AreEqual(LoaderState.FromBytes(state.ToBytes()), state, "the ledgers survive serialization");
            finished.Add(state.PreviousLedger!);
            Assert.AreEqual(2, state.Ledger!.Epoch);
            Assert.AreEqual(0L, state.Ledger.Count);
        }

        long[] epoch1 = [.. delivered.Where(b => b.Epoch == 1).SelectMany(b => b.Samples)];
        Assert.IsTrue(finished.All(l => l.Epoch == 1 && l.From == 0 && l.WorldSize == worldSize && l.Generation == 1));
        Assert.AreEqual((long)epoch1.Length, finished.Sum(l => l.Count));
        Assert.AreEqual(epoch1.Aggregate(0UL, (s, i) => unchecked(s + LoaderLedger.Hash(i))), finished.Aggregate(0UL, (s, l) => unchecked(s + l.Sum)));
        long expectedEnd = dropLast ? SmallSamples / (worldSize * SmallBatch) * worldSize * SmallBatch : SmallSamples;
        Assert.IsTrue(finished.All(l => l.To == expectedEnd), $"each ledger ends at {expectedEnd}");
    }

    [TestMethod]
    public void Ledger_ResumedWithTheSameRankAndWorldSize_ContinuesToTheUninterruptedLedger()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, SmallBatch) with { WorldSize = 2, Rank = 1, Epochs = 1, Ledger = true };
        LoaderLedger whole;
        using (ShardLoader loader = ShardLoader.Create(Small, options))
        {
            LoaderHarness.Drain(loader, checkValues: false);
            whole = loader.GetState().PreviousLedger!;
        }

        LoaderState middle;
        using (ShardLoader loader = ShardLoader.Create(Small, options))
        {
            LoaderHarness.Drain(loader, checkValues: false, limit: 2);
            middle = loader.GetState();
        }

        Assert.AreEqual(2L * SmallBatch, middle.Ledger!.Count);
        Assert.AreEqual(middle.Position, middle.Ledger.To);
        using ShardLoader resumed = ShardLoader.Create(Small, options with { ResumeFrom = middle });
        LoaderHarness.Drain(resumed, checkValues: false);
        Assert.AreEqual(whole, resumed.GetState().PreviousLedger);
    }

    [TestMethod]
    public void Ledger_ResumedWithAnotherWorldSize_StartsAtTheStatePosition()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Sequential, SmallBatch) with { WorldSize = 2, Epochs = 1, Ledger = true };
        LoaderState middle;
        using (ShardLoader loader = ShardLoader.Create(Small, options))
        {
            LoaderHarness.Drain(loader, checkValues: false, limit: 2);
            middle = loader.GetState();
        }

        using ShardLoader resumed = ShardLoader.Create(Small, options with { WorldSize = 3, Rank = 2, ResumeFrom = middle });
        LoaderLedger fresh = resumed.GetState().Ledger!;
        Assert.AreEqual(middle.Position, fresh.From);
        Assert.AreEqual(middle.Position, fresh.To);
        Assert.AreEqual(0L, fresh.Count);
        Assert.AreEqual(3, fresh.WorldSize);
        Assert.AreEqual(2, fresh.Rank);
    }

    [TestMethod]
    public void Ledger_Off_StateHasNone()
    {
        using ShardLoader loader = ShardLoader.Create(Small, LoaderHarness.Options(SampleOrder.Random, SmallBatch));
        loader.NextBatch()!.Dispose();
        Assert.IsNull(loader.GetState().Ledger);
        Assert.IsNull(loader.GetState().PreviousLedger);
    }
}
