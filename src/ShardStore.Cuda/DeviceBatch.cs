using ShardStore.Cuda.Internals.Ring;

namespace ShardStore.Cuda;

/// <summary>
/// A batch in device memory: per field a device pointer, byte length, dtype and shape (variable fields: offsets and
/// values), plus the batch's sample indices and epoch. Its copy may still be in flight when you get it.
/// </summary>
/// <remarks>
/// <para>
/// Order your work after the copy without blocking the CPU: <see cref="WaitReady"/> on your stream, then launch
/// kernels that read the pointers. Or block with <see cref="Synchronize"/>. When your stream has been given all
/// the work that reads the batch, call <see cref="Release"/> with that stream: the ring's copy stream waits for it
/// (on the device) before refilling the slot, so the CPU does not wait here either. <see cref="Dispose"/> releases
/// at once, for when nothing on the device reads the batch any more.
/// </para>
/// <para>The pointers stay valid until the batch is released or disposed; after that the slot is refilled.</para>
/// </remarks>
public sealed class DeviceBatch : IDisposable
{
    private readonly DeviceRing _ring;
    private readonly DeviceField[] _fields;
    private readonly long[] _sampleIndices;
    private DeviceSlot? _slot;

    internal DeviceBatch(DeviceRing ring, DeviceSlot slot, Schema schema, DeviceField[] fields, int count, int epoch, long position, long sequence, long[] sampleIndices)
    {
        _ring = ring;
        _slot = slot;
        _fields = fields;
        _sampleIndices = sampleIndices;
        Schema = schema;
        Count = count;
        Epoch = epoch;
        Position = position;
        Sequence = sequence;
    }

    /// <summary>Gets the fields of every sample.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the number of samples in the batch.</summary>
    public int Count { get; }

    /// <summary>Gets the epoch the batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Gets where the batch's first sample lies in the epoch's global order (all ranks together).</summary>
    public long Position { get; }

    /// <summary>Gets the batch's number in the sequence the loader delivered, from 0.</summary>
    public long Sequence { get; }

    /// <summary>Gets the global index of each sample, in batch order (host memory).</summary>
    public ReadOnlySpan<long> SampleIndices => _sampleIndices;

    /// <summary>Gets whether the batch's copy has completed (a non-blocking query).</summary>
    /// <exception cref="CudaException">The copy failed.</exception>
    /// <exception cref="ObjectDisposedException">The batch was released or disposed.</exception>
    public bool IsReady => _ring.Backend.Query(Slot.Ready);

    internal DeviceRing Ring => _ring;

    internal DeviceSlot Slot => _slot ?? throw new ObjectDisposedException(nameof(DeviceBatch));

    /// <summary>Returns where a field lies on the device.</summary>
    /// <param name="field">Field index.</param>
    /// <returns>The field's device pointers, byte lengths, dtype and shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="field"/> is not a field index.</exception>
    /// <exception cref="ObjectDisposedException">The batch was released or disposed.</exception>
    public DeviceField GetField(int field)
    {
        ObjectDisposedException.ThrowIf(_slot is null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, _fields.Length);
        return _fields[field];
    }

    /// <summary>Returns where a field lies on the device, by name.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>The field's device pointers, byte lengths, dtype and shape.</returns>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ObjectDisposedException">The batch was released or disposed.</exception>
    public DeviceField GetField(string name) => GetField(Schema.GetIndex(name));

    /// <summary>Makes <paramref name="stream"/> wait, on the device, for the batch's copy; the CPU does not wait.</summary>
    /// <param name="stream">The consumer's stream, from the same ring.</param>
    /// <exception cref="ArgumentException"><paramref name="stream"/> belongs to another ring.</exception>
    /// <exception cref="CudaException">The driver fails (for example after a failed copy).</exception>
    /// <exception cref="ObjectDisposedException">The batch was released or disposed.</exception>
    public void WaitReady(DeviceStream stream)
    {
        DeviceSlot slot = Slot;
        _ring.CheckStream(stream);
        _ring.Backend.Wait(stream.Inner, slot.Ready);
    }

    /// <summary>Blocks the calling thread until the batch's copy has completed.</summary>
    /// <exception cref="CudaException">The copy failed.</exception>
    /// <exception cref="ObjectDisposedException">The batch was released or disposed.</exception>
    public void Synchronize() => _ring.SynchronizeReady(Slot);

    /// <summary>
    /// Hands the slot back once <paramref name="stream"/> reaches this point: an event is recorded on the stream and
    /// the copy stream waits for it before refilling the slot. The CPU does not wait.
    /// </summary>
    /// <param name="stream">The stream that was given all the work reading this batch.</param>
    /// <exception cref="ArgumentException"><paramref name="stream"/> belongs to another ring.</exception>
    /// <exception cref="CudaException">The driver fails to record the event; the slot is then released at once.</exception>
    /// <exception cref="ObjectDisposedException">The batch was already released or disposed.</exception>
    public void Release(DeviceStream stream)
    {
        ObjectDisposedException.ThrowIf(_slot is null, this);
        _ring.CheckStream(stream);
        DeviceSlot? slot = Interlocked.Exchange(ref _slot, null);
        if (slot is not null)
        {
            _ring.Release(slot, stream);
        }
    }

    /// <summary>Hands the slot back at once: nothing on the device may read the batch any more. Safe to call twice, and after <see cref="Release"/>.</summary>
    public void Dispose()
    {
        DeviceSlot? slot = Interlocked.Exchange(ref _slot, null);
        if (slot is not null)
        {
            _ring.Release(slot, null);
        }
    }
}
