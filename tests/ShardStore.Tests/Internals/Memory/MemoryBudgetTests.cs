using ShardStore.Internals.Memory;

namespace ShardStore.Tests.Internals.Memory;

[TestClass]
public sealed class MemoryBudgetTests
{
    [TestMethod]
    public void TryReserve_UpToTheLimit_SucceedsAndOneByteMoreIsRefused()
    {
        var budget = new MemoryBudget(100);

        Assert.IsTrue(budget.TryReserve(60));
        Assert.IsTrue(budget.TryReserve(40), "a reservation that reaches the limit exactly");
        Assert.IsFalse(budget.TryReserve(1), "one byte past the limit");
        Assert.AreEqual(100L, budget.InUseBytes);
        Assert.AreEqual(100L, budget.LimitBytes);
    }

    [TestMethod]
    public void TryReserve_Refused_ChangesNothingAndRaisesNoEvent()
    {
        var deltas = new List<long>();
        var budget = new MemoryBudget(100) { Changed = deltas.Add };
        Assert.IsTrue(budget.TryReserve(30));

        Assert.IsFalse(budget.TryReserve(71));

        Assert.AreEqual(30L, budget.InUseBytes);
        Assert.AreEqual(30L, budget.PeakBytes);
        CollectionAssert.AreEqual(new long[] { 30 }, deltas);
    }

    [TestMethod]
    public void PeakBytes_AfterReleases_KeepsTheHighestLevel()
    {
        var budget = new MemoryBudget(1000);
        Assert.IsTrue(budget.TryReserve(300));
        Assert.IsTrue(budget.TryReserve(400));
        budget.Release(500);
        Assert.IsTrue(budget.TryReserve(100));

        Assert.AreEqual(300L, budget.InUseBytes);
        Assert.AreEqual(700L, budget.PeakBytes);
    }

    [TestMethod]
    public void Changed_ReservesAndReleases_ToldEveryDeltaInOrderSummingToZero()
    {
        var deltas = new List<long>();
        var budget = new MemoryBudget(100) { Changed = deltas.Add };

        Assert.IsTrue(budget.TryReserve(60));
        Assert.IsTrue(budget.TryReserve(40));
        budget.Release(60);
        budget.Release(40);

        CollectionAssert.AreEqual(new long[] { 60, 40, -60, -40 }, deltas);
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void Release_EverythingReserved_BackToZeroAndTheWholeLimitIsFreeAgain()
    {
        var budget = new MemoryBudget(64);
        Assert.IsTrue(budget.TryReserve(64));
        budget.Release(64);

        Assert.AreEqual(0L, budget.InUseBytes);
        Assert.IsTrue(budget.TryReserve(64), "the released bytes can be reserved again");
        budget.Release(64);
        Assert.AreEqual(0L, budget.InUseBytes);
        Assert.AreEqual(64L, budget.PeakBytes);
    }

    [TestMethod]
    public void TryReserve_ManyThreads_NeverPastTheLimitAndBackToZero()
    {
        const long Limit = 10_000;
        long events = 0;
        var budget = new MemoryBudget(Limit) { Changed = delta => Interlocked.Add(ref events, delta) };

        Parallel.For(0, 8, worker =>
        {
            var random = new Random(worker);
            for (int i = 0; i < 20_000; i++)
            {
                long bytes = random.Next(1, 2_000);
                if (budget.TryReserve(bytes))
                {
                    Assert.IsLessThanOrEqualTo(Limit, budget.InUseBytes, "bytes in use");
                    budget.Release(bytes);
                }
            }
        });

        Assert.AreEqual(0L, budget.InUseBytes);
        Assert.AreEqual(0L, Interlocked.Read(ref events), "the Changed deltas sum to the level");
        Assert.IsLessThanOrEqualTo(Limit, budget.PeakBytes);
        Assert.IsGreaterThan(0L, budget.PeakBytes);
    }
}
