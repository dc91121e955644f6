using ShardStore.Cuda.Internals.Backends;
using ShardStore.Internals.Memory;

namespace ShardStore.Cuda.Internals.Ring;

/// <summary>
/// Makes, grows and frees the device ring's slots. Every device allocation of the ring goes through here and is
/// counted on one <see cref="MemoryBudget"/> of <see cref="DeviceRingOptions.MemoryBudgetBytes"/>, so the budget is
/// checked before the driver is asked. Caller-owned slots (<see cref="DeviceRingOptions.CallerSlots"/>) allocate and
/// count nothing.
/// </summary>
/// <remarks>
/// The ring's constructor creates the slots, its producer thread grows them, and its teardown frees them, never two of
/// these at once on one slot; the budget takes its own lock.
/// </remarks>
internal sealed class DeviceSlotAllocator
{
    private const long AllocationGranularity = 256;

    // Set once in the constructor.
    private readonly IDeviceBackend _backend;
    private readonly ShardLoader _loader;
    private readonly DeviceRingOptions _options;
    private readonly Schema _schema;

    /// <summary>Creates an allocator for slots that hold batches of <paramref name="loader"/>.</summary>
    public DeviceSlotAllocator(IDeviceBackend backend, ShardLoader loader, DeviceRingOptions options)
    {
        _backend = backend;
        _loader = loader;
        _options = options;
        _schema = loader.Schema;
        Budget = new MemoryBudget(options.MemoryBudgetBytes);
    }

    /// <summary>Gets the budget every allocation is counted on; its bytes in use are the device memory the ring holds.</summary>
    public MemoryBudget Budget { get; }

    /// <summary>Rounds a size up as the ring allocates it (whole 256-byte units, at least one).</summary>
    public static long RoundUp(long bytes) => Math.Max(AllocationGranularity, (bytes + AllocationGranularity - 1) & ~(AllocationGranularity - 1));

    /// <summary>Creates slot <paramref name="index"/>: its events and, unless the caller owns the memory, its field buffers.</summary>
    /// <exception cref="InvalidOperationException">The budget cannot hold the slot (nothing of it stays allocated).</exception>
    /// <exception cref="CudaException">The driver fails (nothing of the slot stays allocated).</exception>
    public DeviceSlot CreateSlot(int index)
    {
        IDeviceEvent ready = _backend.CreateEvent();
        IDeviceEvent released;
        try
        {
            released = _backend.CreateEvent();
        }
        catch
        {
            ready.Dispose();
            throw;
        }

        var slot = new DeviceSlot(index, _schema.Count, ready, released, _options.CallerSlots is not null);
        try
        {
            int batchSize = _loader.Options.BatchSize;
            for (int f = 0; f < _schema.Count; f++)
            {
                if (_options.CallerSlots is { } caller)
                {
                    slot.SetCallerMemory(f, caller[index].Fields[f]);
                    continue;
                }

                FieldSpec spec = _schema[f];
                if (spec.IsVariable)
                {
                    slot.SetValues(f, Allocate(_options.VariableFieldBytes ?? _loader.DangerousGetSlotBuffer(0, f).Capacity));
                    slot.SetOffsets(f, Allocate(((long)batchSize + 1) * sizeof(long)));
                }
                else
                {
                    slot.SetValues(f, Allocate((long)batchSize * spec.BytesPerSample));
                }
            }

            return slot;
        }
        catch
        {
            Budget.Release(SlotOwnedBytes(slot));
            slot.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes a variable-length field's values buffer hold at least <paramref name="bytes"/>: doubles it, or grows it
    /// to just what is needed when the budget cannot hold the double. Waits first for the consumer's release of the
    /// slot and for the copy stream, since the old buffer may still be read or written.
    /// </summary>
    /// <exception cref="InvalidOperationException">The slot is caller-owned, or the budget cannot hold a larger buffer.</exception>
    public void EnsureCapacity(DeviceSlot slot, int field, long bytes, IDeviceStream copyStream)
    {
        if (bytes <= slot.ValuesCapacity[field])
        {
            return;
        }

        string name = _schema[field].Name;
        if (slot.CallerOwned)
        {
            throw new InvalidOperationException(
                $"A batch needs {bytes} bytes for variable-length field '{name}', and caller slot {slot.Index} has {slot.ValuesCapacity[field]}; pass larger buffers in DeviceRingOptions.CallerSlots.");
        }

        // The old buffer may still be read by the consumer's stream or written by an earlier copy: wait for both first.
        _backend.Synchronize(slot.Released);
        _backend.Synchronize(copyStream);
        long old = slot.OwnedValuesBytes(field);
        long wanted = Math.Max(bytes, slot.ValuesCapacity[field] * 2);
        if (Budget.InUseBytes - old + RoundUp(wanted) > _options.MemoryBudgetBytes)
        {
            wanted = bytes;
        }

        if (Budget.InUseBytes - old + RoundUp(wanted) > _options.MemoryBudgetBytes)
        {
            throw new InvalidOperationException(
                $"A batch needs {bytes} bytes for variable-length field '{name}' on the device, and the ring's budget (DeviceRingOptions.MemoryBudgetBytes = {_options.MemoryBudgetBytes}, " +
                $"{Budget.InUseBytes} in use) cannot hold a larger slot buffer; raise the budget or VariableFieldBytes, or lower the batch size.");
        }

        Budget.Release(old);
        slot.SetValues(field, Allocate(wanted));
    }

    /// <summary>Frees the slot's buffers and events and gives its bytes back to the budget; no device work may use them any more.</summary>
    public void Free(DeviceSlot slot)
    {
        Budget.Release(SlotOwnedBytes(slot));
        slot.Dispose();
    }

    private long SlotOwnedBytes(DeviceSlot slot)
    {
        long total = 0;
        for (int f = 0; f < _schema.Count; f++)
        {
            total += slot.OwnedValuesBytes(f) + (slot.CallerOwned || !_schema[f].IsVariable ? 0 : slot.OffsetsCapacity[f]);
        }

        return total;
    }

    private IDeviceAllocation Allocate(long bytes)
    {
        long size = RoundUp(bytes);
        if (!Budget.TryReserve(size))
        {
            throw new InvalidOperationException(
                $"The device ring needs {size} more bytes of device memory and its budget (DeviceRingOptions.MemoryBudgetBytes = {_options.MemoryBudgetBytes}, " +
                $"{Budget.InUseBytes} in use) cannot hold them; raise the budget or VariableFieldBytes, or lower the batch size.");
        }

        try
        {
            return _backend.Allocate(size);
        }
        catch
        {
            Budget.Release(size);
            throw;
        }
    }
}
