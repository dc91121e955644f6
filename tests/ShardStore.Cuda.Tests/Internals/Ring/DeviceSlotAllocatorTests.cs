using ShardStore.Cuda.Internals.Ring;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests.Internals.Ring;

/// <summary>The ring's device memory on its budget: slots made, grown and freed, and refused when the budget cannot hold them.</summary>
[TestClass]
public sealed class DeviceSlotAllocatorTests
{
    // With batches of 32 and 256 bytes of tokens, one slot allocates x 1536, label 256, tokens 256 and offsets 264 -> 512.
    private const int BatchSize = 32;
    private const long TokenBytes = 256;
    private const long SlotBytes = 1536 + 256 + 256 + 512;
    private const int Tokens = 2;
    private static RingDataset s_data = null!;

    private static ShardDataset Dataset => s_data.Dataset;

    [ClassInitialize]
    public static void ClassInitialize(TestContext context) => s_data = new RingDataset(100);

    [ClassCleanup]
    public static void ClassCleanup() => s_data.Dispose();

    [TestMethod]
    public void Free_EverySlotCreated_BudgetAndDeviceMemoryBackToZero()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(BatchSize));
        var backend = new HostBackend();
        var allocator = new DeviceSlotAllocator(backend, loader, Options(budget: 1 << 20));
        Assert.AreEqual(SlotBytes, DeviceRing.SlotBytes(loader, TokenBytes), "the slot size these tests assume");

        DeviceSlot[] slots = [.. Enumerable.Range(0, 3).Select(allocator.CreateSlot)];
        Assert.AreEqual(3 * SlotBytes, allocator.Budget.InUseBytes);
        Assert.AreEqual(3 * SlotBytes, backend.AllocatedBytes, "the budget counts exactly what the device allocated");

        foreach (DeviceSlot slot in slots)
        {
            allocator.Free(slot);
        }

        Assert.AreEqual(0L, allocator.Budget.InUseBytes, "budget bytes after freeing every slot");
        Assert.AreEqual(3 * SlotBytes, allocator.Budget.PeakBytes);
        Assert.AreEqual(0L, backend.AllocatedBytes, "device bytes after freeing every slot");
        Assert.AreEqual(0, backend.Allocations, "device allocations after freeing every slot");
    }

    [TestMethod]
    public void CreateSlot_BudgetCannotHoldTheSlot_ThrowsSayingWhatItNeedsAndAllocatesNothing()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(BatchSize));
        var backend = new HostBackend();
        var allocator = new DeviceSlotAllocator(backend, loader, Options(budget: SlotBytes - 1));

        // x, label and the tokens fit (2048 bytes); the tokens' offsets (512) do not.
        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => allocator.CreateSlot(0));

        Assert.AreEqual(
            $"The device ring needs 512 more bytes of device memory and its budget (DeviceRingOptions.MemoryBudgetBytes = {SlotBytes - 1}, " +
            "2048 in use) cannot hold them; raise the budget or VariableFieldBytes, or lower the batch size.",
            e.Message);
        Assert.AreEqual(0L, allocator.Budget.InUseBytes, "the part of the slot already allocated goes back to the budget");
        Assert.AreEqual(0L, backend.AllocatedBytes, "and is freed");
        Assert.AreEqual(0, backend.Allocations);
    }

    [TestMethod]
    public void EnsureCapacity_BudgetHoldsTheDouble_DoublesTheBuffer()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(BatchSize));
        var backend = new HostBackend();
        var allocator = new DeviceSlotAllocator(backend, loader, Options(budget: 1 << 20));
        using IDeviceStream copyStream = backend.CreateStream();
        DeviceSlot slot = allocator.CreateSlot(0);
        allocator.EnsureCapacity(slot, Tokens, 300, copyStream);
        Assert.AreEqual(512L, slot.ValuesCapacity[Tokens]);

        // 513 bytes alone would round up to 768; the buffer doubles instead.
        allocator.EnsureCapacity(slot, Tokens, 513, copyStream);

        Assert.AreEqual(1024L, slot.ValuesCapacity[Tokens]);
        Assert.AreEqual(SlotBytes - TokenBytes + 1024, allocator.Budget.InUseBytes, "the old buffer's bytes went back, the new one's are counted");
        Assert.AreEqual(allocator.Budget.InUseBytes, backend.AllocatedBytes);
        FreeAndAssertNothingLeft(allocator, slot, backend);
    }

    [TestMethod]
    public void EnsureCapacity_BudgetHoldsOnlyWhatIsNeeded_GrowsToJustThat()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(BatchSize));
        var backend = new HostBackend();
        var allocator = new DeviceSlotAllocator(backend, loader, Options(budget: SlotBytes - TokenBytes + 768));
        using IDeviceStream copyStream = backend.CreateStream();
        DeviceSlot slot = allocator.CreateSlot(0);
        allocator.EnsureCapacity(slot, Tokens, 300, copyStream);
        Assert.AreEqual(512L, slot.ValuesCapacity[Tokens]);

        // Doubling to 1024 bytes does not fit; 513 bytes, rounded up to 768, do.
        allocator.EnsureCapacity(slot, Tokens, 513, copyStream);

        Assert.AreEqual(768L, slot.ValuesCapacity[Tokens]);
        Assert.AreEqual(SlotBytes - TokenBytes + 768, allocator.Budget.InUseBytes);
        Assert.AreEqual(allocator.Budget.InUseBytes, backend.AllocatedBytes);
        FreeAndAssertNothingLeft(allocator, slot, backend);
    }

    [TestMethod]
    public void EnsureCapacity_BudgetCannotHoldWhatIsNeeded_ThrowsAndKeepsTheBuffer()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(BatchSize));
        var backend = new HostBackend();
        var allocator = new DeviceSlotAllocator(backend, loader, Options(budget: SlotBytes + 255));
        using IDeviceStream copyStream = backend.CreateStream();
        DeviceSlot slot = allocator.CreateSlot(0);
        ulong buffer = slot.Values[Tokens];

        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => allocator.EnsureCapacity(slot, Tokens, 300, copyStream));

        Assert.AreEqual(
            $"A batch needs 300 bytes for variable-length field 'tokens' on the device, and the ring's budget (DeviceRingOptions.MemoryBudgetBytes = {SlotBytes + 255}, " +
            $"{SlotBytes} in use) cannot hold a larger slot buffer; raise the budget or VariableFieldBytes, or lower the batch size.",
            e.Message);
        Assert.AreEqual(buffer, slot.Values[Tokens], "the slot keeps its buffer");
        Assert.AreEqual(SlotBytes, allocator.Budget.InUseBytes);
        FreeAndAssertNothingLeft(allocator, slot, backend);
    }

    private static DeviceRingOptions Options(long budget) => new() { Device = DeviceKind.Host, MemoryBudgetBytes = budget, VariableFieldBytes = TokenBytes };

    private static void FreeAndAssertNothingLeft(DeviceSlotAllocator allocator, DeviceSlot slot, HostBackend backend)
    {
        allocator.Free(slot);
        Assert.AreEqual(0L, allocator.Budget.InUseBytes, "budget after freeing the slot");
        Assert.AreEqual(0L, backend.AllocatedBytes, "device bytes after freeing the slot");
    }
}
