using ShardStore.Internals.Memory;

namespace ShardStore.Tests.Internals.Memory;

[TestClass]
public sealed class AlignedBufferPoolTests
{
    private const int MiB = 1 << 20;

    [TestMethod]
    public unsafe void Rent_AnyLength_AlignedAndRoundedUpTo64KiB()
    {
        using var pool = new AlignedBufferPool(8 * MiB);

        using AlignedBuffer buffer = pool.Rent(MiB + 1);

        Assert.AreEqual(MiB + 1, buffer.Memory.Length);
        Assert.AreEqual(MiB + (64 << 10), buffer.Capacity);
        using System.Buffers.MemoryHandle pin = buffer.Memory.Pin();
        Assert.AreEqual(0L, (long)(nint)pin.Pointer % AlignedBufferPool.Alignment);
        buffer.Memory.Span.Fill(0xAB);
    }

    [TestMethod]
    public void Rent_AfterReturn_ReusesTheSmallestBufferThatFits()
    {
        using var pool = new AlignedBufferPool(8 * MiB);
        AlignedBuffer large = pool.Rent(3 * MiB);
        AlignedBuffer small = pool.Rent(MiB);
        ((IDisposable)large).Dispose();
        ((IDisposable)small).Dispose();

        AlignedBuffer again = pool.Rent(100);

        Assert.AreSame(small, again);
        Assert.AreEqual(100, again.Memory.Length);
        Assert.AreEqual(2, pool.LiveBuffers);
        Assert.AreEqual(3L * MiB, pool.KeptBytes);
    }

    [TestMethod]
    public void Return_BeyondTheKeepLimit_FreesTheBuffer()
    {
        using var pool = new AlignedBufferPool(2 * MiB);
        AlignedBuffer first = pool.Rent(2 * MiB);
        AlignedBuffer second = pool.Rent(MiB);

        ((IDisposable)first).Dispose();
        ((IDisposable)second).Dispose();

        Assert.AreEqual(1, pool.LiveBuffers, "only what fits in the keep limit stays allocated");
        Assert.AreEqual(2L * MiB, pool.KeptBytes);
    }

    [TestMethod]
    public void Dispose_KeptAndRentedBuffers_AllFreedOnceReturned()
    {
        var pool = new AlignedBufferPool(8 * MiB);
        AlignedBuffer rented = pool.Rent(MiB);
        ((IDisposable)pool.Rent(MiB)).Dispose();

        pool.Dispose();
        Assert.AreEqual(1, pool.LiveBuffers, "the rented buffer lives on until it is returned");
        ((IDisposable)rented).Dispose();

        Assert.AreEqual(0, pool.LiveBuffers);
        Assert.AreEqual(0L, pool.KeptBytes);
    }
}
