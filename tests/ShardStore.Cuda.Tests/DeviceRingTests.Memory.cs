using System.Runtime.InteropServices;
using ShardStore.Cuda.Internals;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

public sealed partial class DeviceRingTests
{
    [TestMethod]
    public void Create_BudgetBelowTheSlots_ThrowsAndAllocatesNothing()
    {
        var backend = new HostBackend();
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        long slotBytes = DeviceRing.SlotBytes(loader);
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => CreateRing(loader, backend, new DeviceRingOptions { MemoryBudgetBytes = (2 * slotBytes) - 1 }));
        StringAssert.Contains(e.Message, "MemoryBudgetBytes");
        Assert.AreEqual(0L, backend.PeakAllocatedBytes);
    }

    [TestMethod]
    public void Create_BudgetExactlyTheSlots_AllocatesThemAll()
    {
        var backend = new HostBackend();
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        long slotBytes = DeviceRing.SlotBytes(loader);
        using (DeviceRing ring = CreateRing(loader, backend, new DeviceRingOptions { MemoryBudgetBytes = 2 * slotBytes }))
        {
            Assert.AreEqual(2 * slotBytes, backend.AllocatedBytes);
            Assert.AreEqual(2 * slotBytes, ring.Statistics.DeviceBytesAllocated);
        }

        Assert.AreEqual(0L, backend.AllocatedBytes);
    }

    [TestMethod]
    public void Next_VariableFieldOutgrowsTheBudget_ThrowsInvalidOperationWithoutAllocatingPastIt()
    {
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        long budget = 2 * DeviceRing.SlotBytes(loader, variableFieldBytes: 256);
        using (DeviceRing ring = CreateRing(loader, backend, new DeviceRingOptions { MemoryBudgetBytes = budget, VariableFieldBytes = 256 }))
        {
            // 32 samples with up to 6 four-byte tokens each need more than 256 bytes of tokens.
            InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            {
                while (ring.Next() is { } batch)
                {
                    batch.Dispose();
                }
            });
            StringAssert.Contains(e.Message, "tokens");
            Assert.ThrowsExactly<InvalidOperationException>(() => ring.Next(), "the error stays");
        }

        Assert.IsTrue(backend.PeakAllocatedBytes <= budget, $"peak {backend.PeakAllocatedBytes} > budget {budget}");
        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Next_VariableFieldGrowsWithinTheBudget_BytesStayCorrect()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        const long Budget = 64 << 10;
        using (DeviceRing ring = CreateRing(loader, backend, new DeviceRingOptions { MemoryBudgetBytes = Budget, VariableFieldBytes = 256 }))
        using (DeviceStream stream = ring.CreateStream())
        {
            int i = 0;
            while (ring.Next() is { } batch)
            {
                batch.WaitReady(stream);
                stream.Synchronize();
                RingData.AssertSame(expected[i++], RingData.ReadBack(ring, batch));
                batch.Release(stream);
            }

            Assert.AreEqual(expected.Count, i);
        }

        Assert.IsTrue(backend.PeakAllocatedBytes <= Budget, $"peak {backend.PeakAllocatedBytes} > budget {Budget}");
        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public unsafe void Next_CallerOwnedSlots_CopiesIntoThemAndAllocatesNothing()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        var buffers = new List<nint>();
        nint Alloc(long bytes)
        {
            nint p = (nint)NativeMemory.AlignedAlloc((nuint)bytes, 256);
            buffers.Add(p);
            return p;
        }

        var slots = new DeviceSlotMemory[2];
        for (int s = 0; s < 2; s++)
        {
            slots[s] = new DeviceSlotMemory(
                new DeviceFieldMemory((ulong)Alloc(32 * 48), 32 * 48),
                new DeviceFieldMemory((ulong)Alloc(32 * 8), 32 * 8),
                new DeviceFieldMemory((ulong)Alloc(32 * 6 * 4), 32 * 6 * 4, (ulong)Alloc(33 * 8), 33 * 8));
        }

        try
        {
            using (DeviceRing ring = CreateRing(loader, backend, new DeviceRingOptions { CallerSlots = slots }))
            {
                int i = 0;
                while (ring.Next() is { } batch)
                {
                    using (batch)
                    {
                        DeviceSlotMemory mine = slots[batch.Slot.Index];
                        Assert.AreEqual(mine.Fields[0].Values, batch.GetField(0).Pointer, "values land in the caller's buffer");
                        Assert.AreEqual(mine.Fields[2].Offsets, batch.GetField(2).OffsetsPointer, "offsets land in the caller's buffer");
                        batch.Synchronize();
                        RingData.AssertSame(expected[i++], RingData.ReadBack(ring, batch));
                    }
                }

                Assert.AreEqual(expected.Count, i);
                Assert.AreEqual(0L, ring.Statistics.DeviceBytesAllocated);
            }

            Assert.AreEqual(0L, backend.PeakAllocatedBytes, "the ring allocates nothing over caller-owned slots");
            AssertNothingLeaked(backend, loader);
        }
        finally
        {
            foreach (nint p in buffers)
            {
                NativeMemory.AlignedFree((void*)p);
            }
        }
    }

    [TestMethod]
    public void Create_CallerSlotTooSmall_ThrowsNamingTheField()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        var slot = new DeviceSlotMemory(new DeviceFieldMemory(4096, 32 * 48), new DeviceFieldMemory(8192, 31 * 8), new DeviceFieldMemory(16384, 1024, 32768, 33 * 8));
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() =>
            CreateRing(loader, new HostBackend(), new DeviceRingOptions { CallerSlots = [slot, slot] }));
        StringAssert.Contains(e.Message, "'label'");
    }

    [TestMethod]
    public void Create_CallerSlotCountDiffers_Throws()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        var slot = new DeviceSlotMemory(new DeviceFieldMemory(4096, 32 * 48), new DeviceFieldMemory(8192, 32 * 8), new DeviceFieldMemory(16384, 1024, 32768, 33 * 8));
        Assert.ThrowsExactly<ArgumentException>(() => CreateRing(loader, new HostBackend(), new DeviceRingOptions { CallerSlots = [slot] }));
    }

    [TestMethod]
    public void Create_ZeroCopyLoader_ThrowsAndAllocatesNothing()
    {
        // Mapped batches are not in the pinned slots the ring copies from.
        var backend = new HostBackend();
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32) with { ZeroCopy = true });
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => CreateRing(loader, backend, new DeviceRingOptions()));
        StringAssert.Contains(e.Message, "ZeroCopy");
        Assert.AreEqual(0L, backend.PeakAllocatedBytes);
    }

    [TestMethod]
    public void Create_OneSlot_Throws()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CreateRing(loader, new HostBackend(), new DeviceRingOptions { SlotCount = 1 }));
    }
}
