using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda.Internals.Ring;

/// <summary>One slot of the device ring: per field a values buffer (and offsets for a variable field), the event recorded after its copies, and the event the consumer records when done with it.</summary>
internal sealed class DeviceSlot : IDisposable
{
    // One owner at a time, passed on through the ring's free-slot queue: the ring's constructor, the producer thread
    // while it fills the slot, the consumer while it holds the batch (it only sets ReleasePending), then teardown.
    private readonly IDeviceAllocation?[] _ownedValues;
    private readonly IDeviceAllocation?[] _ownedOffsets;

    public DeviceSlot(int index, int fields, IDeviceEvent ready, IDeviceEvent released, bool callerOwned)
    {
        Index = index;
        Ready = ready;
        Released = released;
        CallerOwned = callerOwned;
        Values = new ulong[fields];
        ValuesCapacity = new long[fields];
        Offsets = new ulong[fields];
        OffsetsCapacity = new long[fields];
        _ownedValues = new IDeviceAllocation?[fields];
        _ownedOffsets = new IDeviceAllocation?[fields];
    }

    public int Index { get; }

    /// <summary>Gets the event recorded on the copy stream after the slot's copies.</summary>
    public IDeviceEvent Ready { get; }

    /// <summary>Gets the event the consumer records on its stream when it releases the slot.</summary>
    public IDeviceEvent Released { get; }

    /// <summary>Gets or sets whether <see cref="Released"/> was recorded since the copy stream last waited on it.</summary>
    public bool ReleasePending { get; set; }

    public bool CallerOwned { get; }

    public ulong[] Values { get; }

    public long[] ValuesCapacity { get; }

    public ulong[] Offsets { get; }

    public long[] OffsetsCapacity { get; }

    /// <summary>Gets the bytes of the ring's budget a field's values buffer holds.</summary>
    public long OwnedValuesBytes(int field) => _ownedValues[field]?.Bytes ?? 0;

    /// <summary>Uses an allocation of the ring as a field's values buffer, freeing the one it replaces.</summary>
    public void SetValues(int field, IDeviceAllocation allocation)
    {
        _ownedValues[field]?.Dispose();
        _ownedValues[field] = allocation;
        Values[field] = allocation.Pointer;
        ValuesCapacity[field] = allocation.Bytes;
    }

    /// <summary>Uses an allocation of the ring as a field's offsets buffer.</summary>
    public void SetOffsets(int field, IDeviceAllocation allocation)
    {
        _ownedOffsets[field]?.Dispose();
        _ownedOffsets[field] = allocation;
        Offsets[field] = allocation.Pointer;
        OffsetsCapacity[field] = allocation.Bytes;
    }

    /// <summary>Uses caller-owned memory for a field.</summary>
    public void SetCallerMemory(int field, DeviceFieldMemory memory)
    {
        Values[field] = memory.Values;
        ValuesCapacity[field] = memory.ValuesCapacity;
        Offsets[field] = memory.Offsets;
        OffsetsCapacity[field] = memory.OffsetsCapacity;
    }

    /// <summary>Frees the slot's allocations and events; the caller made sure no device work uses them.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _ownedValues.Length; i++)
        {
            _ownedValues[i]?.Dispose();
            _ownedOffsets[i]?.Dispose();
            _ownedValues[i] = null;
            _ownedOffsets[i] = null;
        }

        Ready.Dispose();
        Released.Dispose();
    }
}
