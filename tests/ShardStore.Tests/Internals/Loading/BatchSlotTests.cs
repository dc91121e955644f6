using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;

namespace ShardStore.Tests.Internals.Loading;

[TestClass]
public sealed unsafe class BatchSlotTests
{
    private static readonly Schema s_schema = new(FieldSpec.Fixed("x", DType.F32, 4), FieldSpec.Variable("tokens", DType.I32));

    [TestMethod]
    public void EnsureCapacity_VariableFieldGrows_FreeingSeesTheOldBufferWhileTheSlotStillHoldsIt()
    {
        var budget = new MemoryBudget(1L << 30);
        using BatchSlot slot = BatchSlot.TryCreate(s_schema, 8, budget, 0)!;
        nint old = (nint)slot.Data(1);
        int version = slot.Version(1);
        var seen = new List<(nint Pointer, nint Current, int Version)>();
        slot.Freeing = pointer => seen.Add((pointer, (nint)slot.Data(1), slot.Version(1)));

        slot.EnsureCapacity(1, slot.Capacity(1) * 4);

        Assert.AreEqual(1, seen.Count, "one buffer freed");
        Assert.AreEqual(old, seen[0].Pointer, "the freed buffer is the old one");
        Assert.AreEqual(old, seen[0].Current, "announced before the slot lets go of it");
        Assert.AreEqual(version, seen[0].Version);
        Assert.AreEqual(version + 1, slot.Version(1), "the new buffer has a new version");
    }

    [TestMethod]
    public void EnsureCapacity_WithinCapacity_FreesNothing()
    {
        var budget = new MemoryBudget(1L << 30);
        using BatchSlot slot = BatchSlot.TryCreate(s_schema, 8, budget, 0)!;
        int calls = 0;
        slot.Freeing = _ => calls++;

        slot.EnsureCapacity(1, slot.Capacity(1));

        Assert.AreEqual(0, calls);
    }
}
