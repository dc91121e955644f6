using System.Diagnostics;
using System.Runtime.InteropServices;
using ShardStore.Internals.Memory;

namespace ShardStore.Internals.Loading;

/// <summary>
/// One batch's worth of host memory, allocated once: per field a 4 KiB-aligned native buffer (never moved by
/// the GC, so it can be page-locked for GPU copies), plus an offsets buffer for variable-length fields.
/// </summary>
internal sealed unsafe class BatchSlot : IDisposable
{
    public const int Alignment = 4096;

    /// <summary>The byte <see cref="Poison"/> writes.</summary>
    public const byte PoisonByte = 0xDD;
    private readonly Schema _schema;
    private readonly MemoryBudget _budget;

    // Used by one thread at a time, the slot's holder (the producer filling it, the consumer holding its batch, or the
    // pool): the buffers, their capacities and versions, the budget bytes held, and whether the slot was freed.
    private readonly byte*[] _data;
    private readonly long[] _capacity;
    private readonly byte*[] _offsets;
    private readonly int[] _versions;
    private SlotArena? _arena;
    private long _reserved;
    private bool _disposed;

    // Interlocked while the slot is being filled (scatter workers transform samples of one batch at once): how many
    // positions of Skipped are set.
    private int _skippedCount;

    private BatchSlot(Schema schema, int batchSize, MemoryBudget budget, int index)
    {
        _schema = schema;
        _budget = budget;
        Index = index;
        BatchSize = batchSize;
        SampleIndices = new long[batchSize];
        Skipped = new int[batchSize];
        _data = new byte*[schema.Count];
        _capacity = new long[schema.Count];
        _offsets = new byte*[schema.Count];
        _versions = new int[schema.Count];
        Lengths = new long[schema.Count];
    }

    public int Index { get; }

    /// <summary>
    /// Gets or sets what runs with a buffer's address just before the slot frees it to grow (a device ring unregisters
    /// the page-locking there, since freeing a registered range leaves the driver's registration on dead pages).
    /// </summary>
    /// <remarks>Set while no worker fills the slot (a ring attaching or detaching); called by the slot's holder.</remarks>
    public Action<nint>? Freeing { get; set; }

    public int BatchSize { get; }

    public long[] SampleIndices { get; }

    /// <summary>Gets the batch positions of samples a transform rejected and the loader skipped (the first <see cref="SkippedCount"/>).</summary>
    public int[] Skipped { get; }

    /// <summary>Gets how many entries of <see cref="Skipped"/> are set.</summary>
    public int SkippedCount => Volatile.Read(ref _skippedCount);

    /// <summary>Gets the bytes in use per field (values only, for a variable field).</summary>
    public long[] Lengths { get; }

    /// <summary>Bytes a slot needs before any variable field has grown.</summary>
    public static long InitialBytes(Schema schema, int batchSize)
    {
        long total = 0;
        foreach (FieldSpec f in schema.Fields)
        {
            total += f.IsVariable
                ? AlignUp(((long)batchSize + 1) * sizeof(long)) + AlignUp(InitialVariableCapacity(batchSize))
                : AlignUp((long)batchSize * f.BytesPerSample);
        }

        return total;
    }

    /// <summary>Bytes the fixed-width fields of one slot take (what <see cref="SlotArena"/> pieces hold).</summary>
    public static long FixedBytes(Schema schema, int batchSize) =>
        schema.Fields.Where(f => !f.IsVariable).Sum(f => AlignUp((long)batchSize * f.BytesPerSample));

    /// <summary>
    /// Allocates a slot from the budget, or returns null when the budget cannot hold it. The fixed-width fields come from
    /// <paramref name="arena"/> while it has room (the slot then holds a piece of it until disposed).
    /// </summary>
    public static BatchSlot? TryCreate(Schema schema, int batchSize, MemoryBudget budget, int index, SlotArena? arena = null)
    {
        var slot = new BatchSlot(schema, batchSize, budget, index);
        if (arena is not null && slot.TryTakeFixed(arena) is false)
        {
            slot.Dispose();
            return null;
        }

        for (int i = 0; i < schema.Count; i++)
        {
            FieldSpec f = schema[i];
            bool ok = f.IsVariable
                ? slot.TryAllocate(ref slot._offsets[i], 0, ((long)batchSize + 1) * sizeof(long)) && slot.TryGrow(i, InitialVariableCapacity(batchSize))
                : slot._data[i] is not null || slot.TryGrow(i, (long)batchSize * f.BytesPerSample);
            if (!ok)
            {
                slot.Dispose();
                return null;
            }
        }

        return slot;
    }

    public byte* Data(int field) => _data[field];

    /// <summary>
    /// Gets or sets how many distinct chunks the batch in the slot draws its samples from, set by the producer that
    /// planned it (it knows each sample's chunk anyway), for <see cref="ShardLoaderStatistics.SourceChunksPerBatch"/>.
    /// </summary>
    public int SourceChunks { get; set; }

    /// <summary>Gets the arena the fixed-width fields are carved from, or null when they have buffers of their own.</summary>
    public SlotArena? Arena => _arena;

    /// <summary>Forgets the skipped samples of the batch the slot held before.</summary>
    public void ResetSkipped() => Volatile.Write(ref _skippedCount, 0);

    /// <summary>Records that the sample at <paramref name="position"/> was skipped; safe from several threads.</summary>
    public void AddSkipped(int position) => Skipped[Interlocked.Increment(ref _skippedCount) - 1] = position;

    /// <summary>Sorts the skipped positions once the batch is complete (scatter workers record them in any order).</summary>
    public void SortSkipped() => Array.Sort(Skipped, 0, SkippedCount);

    public long Capacity(int field) => _capacity[field];

    public long* Offsets(int field) => (long*)_offsets[field];

    /// <summary>Gets how many times a field's values buffer was replaced by a larger one (its offsets buffer never is).</summary>
    public int Version(int field) => _versions[field];

    /// <summary>Gets the bytes allocated for a field's values or offsets buffer: whole 4 KiB pages, at least one.</summary>
    public long AllocatedBytes(int field, bool offsets) => AlignUp(offsets ? ((long)BatchSize + 1) * sizeof(long) : _capacity[field]);

    /// <summary>Makes room for at least <paramref name="bytes"/> values in a variable field; the old contents are not kept.</summary>
    /// <exception cref="InvalidOperationException">The budget cannot hold the larger buffer.</exception>
    public void EnsureCapacity(int field, long bytes)
    {
        if (!TryEnsureCapacity(field, bytes))
        {
            throw new InvalidOperationException(
                $"A batch needs {bytes} bytes for variable-length field '{_schema[field].Name}', and the loader's memory budget ({_budget.LimitBytes} bytes, {_budget.InUseBytes} in use) cannot hold it; raise ShardLoaderOptions.MemoryBudgetBytes or lower the batch size.");
        }
    }

    /// <summary>Makes room like <see cref="EnsureCapacity"/>; returns false when the budget cannot hold it.</summary>
    public bool TryEnsureCapacity(int field, long bytes)
    {
        if (bytes <= _capacity[field])
        {
            return true;
        }

        long wanted = Math.Max(bytes, _capacity[field] * 2);
        return TryGrow(field, wanted) || TryGrow(field, bytes);
    }

    /// <summary>
    /// Debug builds only: overwrites every field's values and offsets with <see cref="PoisonByte"/>, so a span
    /// read after its batch was disposed shows 0xDD bytes instead of plausible stale data.
    /// </summary>
    [Conditional("DEBUG")]
    public void Poison()
    {
        for (int i = 0; i < _data.Length; i++)
        {
            if (_data[i] is not null)
            {
                NativeMemory.Fill(_data[i], (nuint)_capacity[i], PoisonByte);
            }

            if (_offsets[i] is not null)
            {
                NativeMemory.Fill(_offsets[i], (nuint)(((long)BatchSize + 1) * sizeof(long)), PoisonByte);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (int i = 0; i < _data.Length; i++)
        {
            if (_arena is null || _schema[i].IsVariable)
            {
                NativeMemory.AlignedFree(_data[i]);
            }

            NativeMemory.AlignedFree(_offsets[i]);
            _data[i] = null;
            _offsets[i] = null;
        }

        _arena?.Release();
        _arena = null;
        _budget.Release(_reserved);
        _reserved = 0;
    }

    // Points the fixed-width fields into one piece of the arena, reserved from the budget like separate buffers would
    // be. Returns null when the arena is full (the fields then get buffers of their own), false when the budget cannot
    // hold them. The pieces never grow: only variable fields do.
    private bool? TryTakeFixed(SlotArena arena)
    {
        long bytes = FixedBytes(_schema, BatchSize);
        if (bytes == 0)
        {
            return null;
        }

        if (!_budget.TryReserve(bytes))
        {
            return false;
        }

        byte* piece = arena.TryTake(bytes);
        if (piece is null)
        {
            _budget.Release(bytes);
            return null;
        }

        _arena = arena;
        _reserved += bytes;
        for (int i = 0; i < _schema.Count; i++)
        {
            if (!_schema[i].IsVariable)
            {
                _data[i] = piece;
                _capacity[i] = (long)BatchSize * _schema[i].BytesPerSample;
                _versions[i]++;
                piece += AlignUp(_capacity[i]);
            }
        }

        return true;
    }

    private static long InitialVariableCapacity(int batchSize) => Math.Max(64L << 10, (long)batchSize * 256);

    private static long AlignUp(long size) => Math.Max(Alignment, (size + Alignment - 1) & ~(long)(Alignment - 1));

    private bool TryGrow(int field, long bytes)
    {
        long old = _data[field] is null ? 0 : AlignUp(_capacity[field]);
        if (!TryAllocate(ref _data[field], old, bytes))
        {
            return false;
        }

        _capacity[field] = bytes;
        _versions[field]++;
        return true;
    }

    // Replaces the buffer at pointer (holding oldSize bytes of the budget) with a new one of at least bytes.
    private bool TryAllocate(ref byte* pointer, long oldSize, long bytes)
    {
        long size = AlignUp(bytes);
        if (size > oldSize && !_budget.TryReserve(size - oldSize))
        {
            return false;
        }

        if (size < oldSize)
        {
            _budget.Release(oldSize - size);
        }

        if (pointer is not null)
        {
            Freeing?.Invoke((nint)pointer);
        }

        NativeMemory.AlignedFree(pointer);
        _reserved += size - oldSize;
        pointer = (byte*)NativeMemory.AlignedAlloc((nuint)size, Alignment);
        return true;
    }
}
