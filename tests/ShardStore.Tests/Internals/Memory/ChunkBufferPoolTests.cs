using ShardStore.Internals.Memory;

namespace ShardStore.Tests.Internals.Memory;

[TestClass]
public sealed class ChunkBufferPoolTests
{
    private const int Page = 4 << 10;

    [TestMethod]
    [DataRow(1L, 4096L)]
    [DataRow(4096L, 4096L)]
    [DataRow(4097L, 8192L)]
    [DataRow((1L << 20) - 1, 1L << 20)]
    [DataRow((1L << 20) + 1, (1L << 20) + (64 << 10))]
    public void RoundUp_Size_WholePagesBelowOneMiBAnd64KiBAbove(long size, long expected) =>
        Assert.AreEqual(expected, ChunkBufferPool.RoundUp(size));

    [TestMethod]
    public void TryRent_NewBuffer_RoundedUpAndCountedInTheBudget()
    {
        var budget = new MemoryBudget(1 << 20);
        var pool = new ChunkBufferPool(budget);

        Assert.IsTrue(pool.TryRent(5000, out byte[] buffer));

        Assert.HasCount(2 * Page, buffer);
        Assert.AreEqual(2L * Page, pool.AllocatedBytes);
        Assert.AreEqual(2L * Page, pool.RentedBytes);
        Assert.AreEqual(2L * Page, budget.InUseBytes);
        Assert.AreEqual(1L << 20, pool.BudgetBytes);
    }

    [TestMethod]
    public void TryRent_AfterReturn_ReusesTheBufferWithoutAllocating()
    {
        var budget = new MemoryBudget(1 << 20);
        var pool = new ChunkBufferPool(budget);
        Assert.IsTrue(pool.TryRent(3 * Page, out byte[] first));
        pool.Return(first);
        Assert.AreEqual(0L, pool.RentedBytes);

        Assert.IsTrue(pool.TryRent((2 * Page) + 1, out byte[] second));

        Assert.AreSame(first, second, "a free buffer that fits is reused");
        Assert.AreEqual(3L * Page, pool.AllocatedBytes);
        Assert.AreEqual(3L * Page, budget.InUseBytes);
    }

    [TestMethod]
    public void TryRent_FreeBufferMoreThanTwiceTheSize_AllocatesANewOne()
    {
        var pool = new ChunkBufferPool(1 << 20);
        Assert.IsTrue(pool.TryRent(4 * Page, out byte[] large));
        pool.Return(large);

        Assert.IsTrue(pool.TryRent(Page, out byte[] small));

        Assert.AreNotSame(large, small);
        Assert.HasCount(Page, small);
        Assert.AreEqual(5L * Page, pool.AllocatedBytes, "the large buffer is kept for reuse");
        Assert.AreEqual((long)Page, pool.RentedBytes);
    }

    [TestMethod]
    public void TryRent_BudgetHeldByFreeBuffers_DropsThemToMakeRoom()
    {
        var budget = new MemoryBudget(4 * Page);
        var pool = new ChunkBufferPool(budget);
        Assert.IsTrue(pool.TryRent(2 * Page, out byte[] a));
        Assert.IsTrue(pool.TryRent(2 * Page, out byte[] b));
        pool.Return(a);
        pool.Return(b);

        Assert.IsTrue(pool.TryRent(4 * Page, out byte[] whole), "free buffers too small to reuse give their bytes back");

        Assert.HasCount(4 * Page, whole);
        Assert.AreEqual(4L * Page, pool.AllocatedBytes);
        Assert.AreEqual(4L * Page, budget.InUseBytes);
        Assert.AreEqual(4L * Page, budget.PeakBytes, "never past the budget");
    }

    [TestMethod]
    public void TryRent_BudgetHeldByRentedBuffers_FailsAndChangesNothing()
    {
        var budget = new MemoryBudget(2 * Page);
        var pool = new ChunkBufferPool(budget);
        Assert.IsTrue(pool.TryRent(2 * Page, out _));

        Assert.IsFalse(pool.TryRent(1, out byte[] none));

        Assert.IsEmpty(none);
        Assert.AreEqual(2L * Page, pool.AllocatedBytes);
        Assert.AreEqual(2L * Page, pool.RentedBytes);
        Assert.AreEqual(2L * Page, budget.InUseBytes);
    }

    [TestMethod]
    public void Trim_EverythingReturned_SharedBudgetBackToZero()
    {
        var budget = new MemoryBudget(1 << 20);
        Assert.IsTrue(budget.TryReserve(Page), "another allocator's share");
        var pool = new ChunkBufferPool(budget);
        var rented = new List<byte[]>();
        foreach (int size in new[] { 100, 5000, 20_000, 70_000 })
        {
            Assert.IsTrue(pool.TryRent(size, out byte[] buffer));
            rented.Add(buffer);
        }

        foreach (byte[] buffer in rented)
        {
            pool.Return(buffer);
        }

        pool.Trim();

        Assert.AreEqual(0L, pool.AllocatedBytes);
        Assert.AreEqual(0L, pool.RentedBytes);
        Assert.AreEqual((long)Page, budget.InUseBytes, "only the other allocator's share is left");
        budget.Release(Page);
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void Trim_BuffersStillRented_KeepsThemCounted()
    {
        var budget = new MemoryBudget(1 << 20);
        var pool = new ChunkBufferPool(budget);
        Assert.IsTrue(pool.TryRent(Page, out byte[] kept));
        Assert.IsTrue(pool.TryRent(Page, out byte[] returned));
        pool.Return(returned);

        pool.Trim();

        Assert.AreEqual((long)Page, pool.AllocatedBytes);
        Assert.AreEqual((long)Page, budget.InUseBytes);
        pool.Return(kept);
        pool.Trim();
        Assert.AreEqual(0L, pool.AllocatedBytes);
        Assert.AreEqual(0L, budget.InUseBytes);
    }
}
