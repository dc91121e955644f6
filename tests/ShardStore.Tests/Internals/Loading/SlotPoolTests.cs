using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;

namespace ShardStore.Tests.Internals.Loading;

[TestClass]
public sealed class SlotPoolTests
{
    private const int BatchSize = 8;

    private static readonly Schema s_schema = new(FieldSpec.Fixed("x", DType.F32, 4), FieldSpec.Variable("tokens", DType.I32));

    private static long SlotBytes => BatchSlot.InitialBytes(s_schema, BatchSize);

    [TestMethod]
    public void Create_Count_AllocatesEverySlotFromTheBudget()
    {
        var budget = new MemoryBudget(1L << 30);

        WithPool(budget, 3, pool =>
        {
            Assert.AreEqual(3, pool.Count);
            CollectionAssert.AreEqual(new[] { 0, 1, 2 }, pool.Slots.Select(s => s.Index).ToArray(), "slot indices");
            Assert.AreEqual(3 * SlotBytes, budget.InUseBytes);
        });
    }

    [TestMethod]
    public void Create_BudgetTooSmall_ThrowsInvalidOperationException()
    {
        var budget = new MemoryBudget((2 * SlotBytes) + (SlotBytes / 2));

        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => SlotPool.Create(s_schema, BatchSize, budget, 3));

        Assert.Contains("memory budget", e.Message);
    }

    [TestMethod]
    public void Create_BudgetRunsOutPartway_FreesTheSlotsItMade()
    {
        var budget = new MemoryBudget((2 * SlotBytes) + (SlotBytes / 2));

        Assert.ThrowsExactly<InvalidOperationException>(() => SlotPool.Create(s_schema, BatchSize, budget, 3));

        Assert.AreEqual(0L, budget.InUseBytes, "the two slots made before the budget ran out");
    }

    [TestMethod]
    public void TryReserveFree_EverySlotReserved_FalseUntilOneIsReturned()
    {
        var budget = new MemoryBudget(1L << 30);
        WithPool(budget, 2, pool =>
        {
            int returned = 0;
            pool.Returned = () => returned++;

            Assert.IsTrue(pool.TryReserveFree());
            BatchSlot first = pool.Take();
            Assert.IsTrue(pool.TryReserveFree());
            BatchSlot second = pool.Take();
            Assert.AreNotSame(first, second);
            Assert.IsFalse(pool.TryReserveFree(), "both slots are taken");
            Assert.IsFalse(pool.WaitFree(TimeSpan.FromMilliseconds(10), CancellationToken.None), "no slot comes back");

            pool.Return(second);

            Assert.AreEqual(1, returned, "Returned runs once per slot given back");
            Assert.IsTrue(pool.WaitFree(TimeSpan.Zero, CancellationToken.None));
            Assert.AreSame(second, pool.Take());
            pool.Return(first);
            pool.Return(second);
            Assert.AreEqual(2L * SlotBytes, budget.InUseBytes, "returned slots stay allocated while the pool is open");
        });
    }

    [TestMethod]
    public void WaitFree_Cancelled_ThrowsOperationCanceledException()
    {
        var budget = new MemoryBudget(1L << 30);
        WithPool(budget, 1, pool =>
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();

            Assert.ThrowsExactly<OperationCanceledException>(() => pool.WaitFree(TimeSpan.FromSeconds(1), cancelled.Token));
            Assert.IsTrue(pool.TryReserveFree(), "the cancelled wait reserved nothing");
        });
    }

    [TestMethod]
    public void HandOut_EverySlot_AllHandedOutUntilOneComesBack()
    {
        var budget = new MemoryBudget(1L << 30);
        WithPool(budget, 2, pool =>
        {
            var slots = new List<BatchSlot>();
            while (pool.TryReserveFree())
            {
                BatchSlot slot = pool.Take();
                pool.HandOut();
                slots.Add(slot);
            }

            Assert.HasCount(2, slots);
            Assert.IsTrue(pool.AllHandedOut);

            pool.ReturnHandedOut(slots[0]);

            Assert.IsFalse(pool.AllHandedOut);
            Assert.IsTrue(pool.TryReserveFree(), "the slot is free again");
            pool.Close();
            pool.ReturnHandedOut(slots[1]);
        });
    }

    [TestMethod]
    public void Return_AfterClose_FreesTheSlotInsteadOfQueueingIt()
    {
        var budget = new MemoryBudget(1L << 30);
        WithPool(budget, 2, pool =>
        {
            int returned = 0;
            pool.Returned = () => returned++;
            Assert.IsTrue(pool.TryReserveFree());
            BatchSlot slot = pool.Take();

            pool.Close();
            pool.Return(slot);

            Assert.AreEqual(SlotBytes, budget.InUseBytes, "only the slot still in the pool is allocated");
            Assert.AreEqual(0, returned, "a freed slot is not announced as free");
            Assert.IsTrue(pool.TryReserveFree());
            Assert.IsFalse(pool.TryReserveFree(), "the freed slot is not counted as free");
        });
    }

    [TestMethod]
    public void Dispose_SlotsStillOut_BudgetBackToZeroWhenTheyComeBack()
    {
        var budget = new MemoryBudget(1L << 30);
        SlotPool pool = SlotPool.Create(s_schema, BatchSize, budget, 3);
        Assert.IsTrue(pool.TryReserveFree());
        BatchSlot taken = pool.Take();
        Assert.IsTrue(pool.TryReserveFree());
        BatchSlot handedOut = pool.Take();
        pool.HandOut();

        pool.Close();
        pool.Dispose();

        Assert.AreEqual(2 * SlotBytes, budget.InUseBytes, "the free slot is freed, the two out are not yet");
        pool.Return(taken);
        pool.ReturnHandedOut(handedOut);
        Assert.AreEqual(0L, budget.InUseBytes);
        Assert.IsFalse(pool.AllHandedOut);
        pool.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes, "a second dispose is harmless");
    }

    [TestMethod]
    public void Dispose_EverySlotFree_BudgetBackToZero()
    {
        var budget = new MemoryBudget(1L << 30);
        SlotPool pool = SlotPool.Create(s_schema, BatchSize, budget, 4);

        pool.Close();
        pool.Dispose();

        Assert.AreEqual(0L, budget.InUseBytes);
        Assert.AreEqual(4 * SlotBytes, budget.PeakBytes);
    }

    // Runs a test over a new pool, then closes and disposes it as the loader does, whether the test passed or not.
    private static void WithPool(MemoryBudget budget, int count, Action<SlotPool> test)
    {
        SlotPool pool = SlotPool.Create(s_schema, BatchSize, budget, count);
        try
        {
            test(pool);
        }
        finally
        {
            pool.Close();
            pool.Dispose();
        }
    }
}
