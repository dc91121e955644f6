using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1, 1, false, 2)]
    [DataRow(SampleOrder.Window, 1, 1, false, 2)]
    [DataRow(SampleOrder.Random, 1, 1, false, 2)]
    [DataRow(SampleOrder.Window, 3, 4, true, 3)]
    [DataRow(SampleOrder.Random, 2, 4, false, 3)]
    [DataRow(SampleOrder.Sequential, 3, 2, false, 3)]
    public void GetState_AfterEveryBatch_ResumedLoaderDeliversExactlyTheRest(SampleOrder order, int worldSize, int partitions, bool dropLast, int epochs)
    {
        ShardLoaderOptions options = LoaderHarness.Options(order, SmallBatch) with
        {
            WorldSize = worldSize,
            Rank = worldSize - 1,
            LogicalPartitions = partitions,
            DropLast = dropLast,
            Epochs = epochs,
        };
        var full = new List<BatchRecord>();
        var states = new List<LoaderState>();
        long batchesPerEpoch;
        ShardLoader loader = ShardLoader.Create(Small, options);
        using (loader)
        {
            batchesPerEpoch = loader.BatchesPerEpoch;
            states.Add(loader.GetState());
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    full.Add(LoaderHarness.Record(batch));
                    states.Add(loader.GetState());
                }
            }

            Assert.AreEqual(states[^1], loader.GetState(), "state after the end");
        }

        LoaderHarness.AssertReleased(loader, Small);
        Assert.IsGreaterThan(2L, batchesPerEpoch, "batches per epoch");
        Assert.HasCount((int)(epochs * batchesPerEpoch), full, "uninterrupted run");
        Assert.AreEqual(epochs, states[^1].Epoch, "final state's epoch");
        Assert.AreEqual(0L, states[^1].Position, "final state's position");

        for (int k = 0; k < states.Count; k++)
        {
            byte[] bytes = states[k].ToBytes();
            Assert.IsLessThan(1024, bytes.Length, $"state {k}: serialized size");
            LoaderState state = LoaderState.FromBytes(bytes);
            Assert.AreEqual(states[k], state, $"state {k}: serialization round trip");
            Assert.AreEqual((int)(k / batchesPerEpoch), state.Epoch, $"state {k}: epoch of the next batch");
            Assert.AreEqual(k % batchesPerEpoch * worldSize * SmallBatch, state.Position, $"state {k}: samples of the global order handed out by all ranks");

            List<BatchRecord> rest = LoaderHarness.Run(Small, options with { ResumeFrom = state });

            BatchRecord[] expected = [.. full.Skip(k).Select((b, i) => b with { Sequence = i })];
            LoaderHarness.AssertSameBatches(expected, rest, $"resumed after {k} batches:");
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 4, 2, 3, false, 1)]
    [DataRow(SampleOrder.Window, 4, 2, 5, false, 4)]
    [DataRow(SampleOrder.Window, 4, 2, 6, true, 1)]
    [DataRow(SampleOrder.Random, 4, 2, 7, true, 4)]
    [DataRow(SampleOrder.Random, 2, 4, 9, false, 1)]
    [DataRow(SampleOrder.Window, 2, 4, 11, true, 4)]
    public void GetState_ResumeWithOtherWorldSize_ContinuesTheSameGlobalOrder(SampleOrder order, int fromWorld, int toWorld, int batchesBefore, bool dropLast, int partitions)
    {
        const int B = 8;
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { DropLast = dropLast, LogicalPartitions = partitions, Epochs = 2 };

        // Phase 1: a lock-step job of fromWorld ranks stops after the same number of batches on every rank.
        var delivered = new List<BatchRecord>();
        LoaderState? state = null;
        for (int rank = 0; rank < fromWorld; rank++)
        {
            ShardLoader loader = ShardLoader.Create(Mixed, options with { WorldSize = fromWorld, Rank = rank });
            using (loader)
            {
                delivered.AddRange(LoaderHarness.Drain(loader, limit: batchesBefore));
                LoaderState s = loader.GetState();
                state ??= s;
                Assert.AreEqual(state, s, $"rank {rank}: every rank of a lock-step job has the same state");
            }

            LoaderHarness.AssertReleased(loader, Mixed);
        }

        long p = (long)fromWorld * B * batchesBefore;
        Assert.IsNotNull(state);
        Assert.AreEqual(0, state.Epoch, "state epoch");
        Assert.AreEqual(p, state.Position, "state position: samples of the global order handed out by all ranks");
        Assert.AreEqual(fromWorld, state.WorldSize, "state world size");
        state = LoaderState.FromBytes(state.ToBytes());

        // Phase 2: toWorld ranks continue from the state to the end of epoch 1.
        long? perRank = null;
        for (int rank = 0; rank < toWorld; rank++)
        {
            List<BatchRecord> batches = LoaderHarness.Run(Mixed, options with { WorldSize = toWorld, Rank = rank, ResumeFrom = state });
            perRank ??= batches.Count;
            Assert.HasCount((int)perRank, batches, $"rank {rank}: every rank gets the same number of batches");
            Assert.AreEqual(p + ((long)rank * B), batches[0].Position, $"rank {rank}: first resumed batch");
            delivered.AddRange(batches);
        }

        // Together the two jobs deliver each epoch's global order (the one a single rank sees) from position 0
        // on, without gap or repeat: all of it, or with DropLast all but the incomplete last step of each job.
        long step = (long)toWorld * B;
        long covered0 = dropLast ? p + ((MixedSamples - p) / step * step) : MixedSamples;
        long covered1 = dropLast ? MixedSamples / step * step : MixedSamples;
        long[] global0 = ReferenceEpoch(order, partitions, B, 0);
        long[] global1 = ReferenceEpoch(order, partitions, B, 1);
        CollectionAssert.AreEqual(global0[..(int)covered0], LoaderHarness.GlobalSequence(delivered, 0), "epoch 0: old world size, then new");
        CollectionAssert.AreEqual(global1[..(int)covered1], LoaderHarness.GlobalSequence(delivered, 1), "epoch 1: new world size");
    }
}
