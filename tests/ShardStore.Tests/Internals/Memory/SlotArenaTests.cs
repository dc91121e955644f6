using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;

namespace ShardStore.Tests.Internals.Memory;

[TestClass]
public sealed unsafe class SlotArenaTests
{
    // 256 samples of 64 KiB: 16 MiB per slot, so a few slots make an arena.
    private const int BatchSize = 256;
    private static readonly Schema s_schema = new(FieldSpec.Fixed("image", DType.U8, 64 << 10), FieldSpec.Fixed("label", DType.I64), FieldSpec.Variable("tokens", DType.I32));

    [TestMethod]
    public void TryCreate_SmallerThanMinimum_ReturnsNull()
    {
        Assert.IsNull(SlotArena.TryCreate(SlotArena.MinimumBytes - 4096));
    }

    [TestMethod]
    public void TryTake_UntilFull_HandsOutDistinctAlignedPiecesThenNull()
    {
        SlotArena arena = SlotArena.TryCreate(5L << 20)!;
        Assert.AreEqual(6L << 20, arena.Bytes, "rounded up to whole 2 MiB pages");

        byte* first = arena.TryTake(4L << 20);
        byte* second = arena.TryTake(2L << 20);
        byte* third = arena.TryTake(4096);

        Assert.IsTrue(first != null && second != null);
        Assert.AreEqual(0L, (long)first % (2L << 20), "the block is 2 MiB-aligned");
        Assert.AreEqual(4L << 20, (long)(second - first), "pieces follow each other without overlap");
        Assert.IsTrue(third == null, "the arena is full");
        arena.Release();
        arena.Release();
        arena.Seal();
        Assert.IsTrue(arena.IsFreed);
    }

    [TestMethod]
    public void Seal_PiecesStillHeld_FreesOnlyAfterTheLastRelease()
    {
        SlotArena arena = SlotArena.TryCreate(SlotArena.MinimumBytes)!;
        _ = arena.TryTake(4096);
        _ = arena.TryTake(4096);

        arena.Seal();
        arena.Release();
        Assert.IsFalse(arena.IsFreed, "one piece is still held");

        arena.Release();
        Assert.IsTrue(arena.IsFreed);
    }

    [TestMethod]
    public void SlotPoolCreate_LargeSlots_CarvesFixedFieldsFromOneArenaAndKeepsTheBudget()
    {
        var budget = new MemoryBudget(1L << 30);
        SlotPool pool = SlotPool.Create(s_schema, BatchSize, budget, 3);
        SlotArena arena = pool.Slots[0].Arena!;
        long expected = 3 * BatchSlot.InitialBytes(s_schema, BatchSize);

        Assert.IsNotNull(arena);
        Assert.IsTrue(pool.Slots.All(s => s.Arena == arena), "every slot shares the arena");
        Assert.AreEqual(expected, budget.InUseBytes, "the budget counts what separate buffers would hold");
        Assert.AreEqual(
            BatchSlot.FixedBytes(s_schema, BatchSize),
            (long)(pool.Slots[1].Data(0) - pool.Slots[0].Data(0)),
            "one slot's fixed fields follow the previous slot's");
        Assert.IsTrue(pool.Slots[0].Data(1) - pool.Slots[0].Data(0) == 64L << 18, "the label follows the image, page-aligned");

        // Write every fixed byte, as a producer would: the pieces are real memory of the right size.
        foreach (BatchSlot slot in pool.Slots)
        {
            new Span<byte>(slot.Data(0), BatchSize * (64 << 10)).Fill(1);
            new Span<long>(slot.Data(1), BatchSize).Fill(-1);
        }

        // A slot handed to the consumer outlives the pool: the arena must too.
        BatchSlot held = pool.Take();
        pool.Close();
        pool.Dispose();
        Assert.IsFalse(arena.IsFreed, "a slot still holds its piece");
        Assert.AreEqual(expected / 3, budget.InUseBytes);

        held.Dispose();
        Assert.IsTrue(arena.IsFreed);
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void SlotPoolCreate_SmallSlots_GivesEachFieldItsOwnBuffer()
    {
        var budget = new MemoryBudget(1L << 30);
        SlotPool pool = SlotPool.Create(s_schema, 4, budget, 2);

        Assert.IsTrue(pool.Slots.All(s => s.Arena is null));
        pool.Close();
        pool.Dispose();
        Assert.AreEqual(0L, budget.InUseBytes);
    }

    [TestMethod]
    public void SlotPoolCreate_BudgetRunsOutPartway_ReleasesTheArena()
    {
        long slot = BatchSlot.InitialBytes(s_schema, BatchSize);
        var budget = new MemoryBudget((2 * slot) + (slot / 2));

        Assert.ThrowsExactly<InvalidOperationException>(() => SlotPool.Create(s_schema, BatchSize, budget, 3));

        Assert.AreEqual(0L, budget.InUseBytes);
    }
}
