using ShardStore.Internals.Ordering;

namespace ShardStore.Tests.Internals.Ordering;

[TestClass]
public sealed class RankScheduleTests
{
    [TestMethod]
    public void TryGet_ThreeRanksWithTail_GivesFullStepsThenNearlyEqualTailPieces()
    {
        // 103 samples, batches of 10, 3 ranks: steps of 30 at 0, 30, 60; a tail of 13 = 4 + 4 + 5 at 90.
        long[][] starts = [[0, 30, 60, 90], [10, 40, 70, 94], [20, 50, 80, 98]];
        int[][] counts = [[10, 10, 10, 4], [10, 10, 10, 4], [10, 10, 10, 5]];
        for (int rank = 0; rank < 3; rank++)
        {
            var plan = new RankSchedule(103, 10, rank, 3, dropLast: false, 0, 0, epochs: 1);
            Assert.AreEqual(4L, plan.BatchesPerEpoch);
            Assert.AreEqual(4L, plan.TotalBatches);
            for (int k = 0; k < 4; k++)
            {
                Assert.IsTrue(plan.TryGet(k, out BatchPlan b));
                Assert.AreEqual(k, b.Sequence);
                Assert.AreEqual(0, b.Epoch);
                Assert.AreEqual(starts[rank][k], b.Start, $"rank {rank} batch {k}: start");
                Assert.AreEqual(counts[rank][k], b.Count, $"rank {rank} batch {k}: count");
                (int nextEpoch, long nextPosition) = k == 3 ? (1, 0L) : (0, 30L * (k + 1));
                Assert.AreEqual(nextEpoch, b.NextEpoch, $"rank {rank} batch {k}: next epoch");
                Assert.AreEqual(nextPosition, b.NextPosition, $"rank {rank} batch {k}: next position");
            }

            Assert.IsFalse(plan.TryGet(4, out _), "past the last batch");
            Assert.IsFalse(plan.TryGet(-1, out _), "negative sequence");
        }
    }

    [TestMethod]
    public void TryGet_TailShorterThanRanks_GivesSomeRanksAnEmptyLastBatch()
    {
        // 92 samples, batches of 10, 3 ranks: a tail of 2 = 0 + 1 + 1 at 90.
        int[] counts = [0, 1, 1];
        long[] starts = [90, 90, 91];
        for (int rank = 0; rank < 3; rank++)
        {
            var plan = new RankSchedule(92, 10, rank, 3, dropLast: false, 0, 0, epochs: 1);
            Assert.AreEqual(4L, plan.BatchesPerEpoch);
            Assert.IsTrue(plan.TryGet(3, out BatchPlan b));
            Assert.AreEqual(counts[rank], b.Count, $"rank {rank}: tail count");
            Assert.AreEqual(starts[rank], b.Start, $"rank {rank}: tail start");
            Assert.AreEqual(1, b.NextEpoch);
        }
    }

    [TestMethod]
    public void TryGet_DropLast_DropsTheTailAndMovesToTheNextEpoch()
    {
        var plan = new RankSchedule(103, 10, 2, 3, dropLast: true, 0, 0, epochs: 2);

        Assert.AreEqual(3L, plan.BatchesPerEpoch);
        Assert.AreEqual(6L, plan.TotalBatches);
        Assert.IsTrue(plan.TryGet(2, out BatchPlan last));
        Assert.AreEqual((80L, 10, 1, 0L), (last.Start, last.Count, last.NextEpoch, last.NextPosition));
        Assert.IsTrue(plan.TryGet(3, out BatchPlan next));
        Assert.AreEqual((1, 20L, 10), (next.Epoch, next.Start, next.Count));
        Assert.IsFalse(plan.TryGet(6, out _));
    }

    [TestMethod]
    public void TryGet_DropLastFewerSamplesThanAStep_GivesNoBatch()
    {
        var plan = new RankSchedule(25, 10, 0, 3, dropLast: true, 0, 0, epochs: 5);

        Assert.AreEqual(0L, plan.BatchesPerEpoch);
        Assert.AreEqual(0L, plan.TotalBatches);
        Assert.IsFalse(plan.TryGet(0, out _));
    }

    [TestMethod]
    public void TotalBatches_ResumedMidEpoch_CountsTheRestOfThatEpochAndWholeLaterEpochs()
    {
        // From epoch 1, position 30 of 103: 73 left = 2 steps of 30 + a tail of 13 (3 batches); epoch 2 has 4.
        var plan = new RankSchedule(103, 10, 1, 3, dropLast: false, firstEpoch: 1, firstPosition: 30, epochs: 3);

        Assert.AreEqual(4L, plan.BatchesPerEpoch);
        Assert.AreEqual(7L, plan.TotalBatches);
        Assert.IsTrue(plan.TryGet(0, out BatchPlan first));
        Assert.AreEqual((1, 40L, 10), (first.Epoch, first.Start, first.Count));
        Assert.IsTrue(plan.TryGet(2, out BatchPlan tail));
        Assert.AreEqual((1, 94L, 4, 2, 0L), (tail.Epoch, tail.Start, tail.Count, tail.NextEpoch, tail.NextPosition));
        Assert.IsTrue(plan.TryGet(3, out BatchPlan epoch2));
        Assert.AreEqual((2, 10L, 10), (epoch2.Epoch, epoch2.Start, epoch2.Count));
        Assert.IsTrue(plan.TryGet(6, out BatchPlan end));
        Assert.AreEqual((2, 94L, 3, 0L), (end.Epoch, end.Start, end.NextEpoch, end.NextPosition));
        Assert.IsFalse(plan.TryGet(7, out _));
    }

    [TestMethod]
    public void TotalBatches_StateAtTheLastEpochsEnd_IsZero()
    {
        var plan = new RankSchedule(103, 10, 0, 1, dropLast: false, firstEpoch: 2, firstPosition: 0, epochs: 2);

        Assert.AreEqual(0L, plan.TotalBatches);
        Assert.IsFalse(plan.TryGet(0, out _));
    }

    [TestMethod]
    public void TryGet_EndlessRun_KeepsCountingEpochs()
    {
        var plan = new RankSchedule(103, 10, 0, 3, dropLast: false, 0, 0, epochs: null);

        Assert.IsNull(plan.TotalBatches);
        Assert.IsTrue(plan.TryGet(4_000_001, out BatchPlan b));
        Assert.AreEqual(1_000_000, b.Epoch);
        Assert.AreEqual((30L, 10), (b.Start, b.Count));
    }

    [TestMethod]
    public void TryGet_AnyShape_RanksCoverTheRestOfTheEpochExactlyOnceWithEqualBatchCounts()
    {
        foreach (long samples in new long[] { 1, 7, 64, 99, 100, 101, 257 })
        {
            foreach (int batch in new[] { 1, 3, 8, 32 })
            {
                foreach (int world in new[] { 1, 2, 3, 8 })
                {
                    foreach (bool dropLast in new[] { false, true })
                    {
                        foreach (long from in new long[] { 0, world * batch, 2L * world * batch })
                        {
                            if (from <= samples)
                            {
                                AssertCoverage(samples, batch, world, dropLast, from);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void AssertCoverage(long samples, int batch, int world, bool dropLast, long from)
    {
        string shape = $"{samples} samples, batch {batch}, {world} ranks, dropLast {dropLast}, from {from}";
        var covered = new List<(long Start, int Count)>();
        long? perRank = null;
        for (int rank = 0; rank < world; rank++)
        {
            var plan = new RankSchedule(samples, batch, rank, world, dropLast, 0, from, epochs: 1);
            long total = plan.TotalBatches ?? throw new AssertFailedException("finite run");
            perRank ??= total;
            Assert.AreEqual(perRank, total, $"{shape}: rank {rank} batch count");
            for (long k = 0; k < total; k++)
            {
                Assert.IsTrue(plan.TryGet(k, out BatchPlan b));
                Assert.IsLessThanOrEqualTo(batch, b.Count, $"{shape}: batch size");
                covered.Add((b.Start, b.Count));
            }
        }

        long end = from;
        foreach ((long start, int count) in covered.Where(c => c.Count > 0).OrderBy(c => c.Start))
        {
            Assert.AreEqual(end, start, $"{shape}: gap or overlap");
            end += count;
        }

        long step = (long)world * batch;
        long expectedEnd = dropLast ? from + ((samples - from) / step * step) : samples;
        Assert.AreEqual(expectedEnd, end, $"{shape}: end of the covered positions");
    }
}
