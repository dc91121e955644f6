using System.Diagnostics;
using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda.Internals.Ring;

/// <summary>
/// Keeps the loader's batch-slot buffers page-locked: each buffer registered once, unregistered by the loader's
/// callback just before the loader frees it to grow it (a variable-length field), and the new buffer registered when
/// its slot is next copied from.
/// </summary>
/// <remarks>
/// The producer thread registers; a loader worker unregisters (<see cref="OnBufferFreeing"/>) while it fills a slot the
/// ring does not hold. A range refused as already registered (CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED: another owner
/// in the process page-locked it) is counted in <see cref="Refused"/> and tried again when the loader replaces the buffer.
/// </remarks>
internal sealed class HostRegistry(IDeviceBackend backend) : IDisposable
{
    private readonly object _sync = new();

    // Guarded by _sync: the loader buffers registered now (or refused), by slot, field and values or offsets, and
    // whether Dispose ran (a late callback from the loader then finds nothing to do).
    private readonly Dictionary<(int Slot, int Field, bool Offsets), RegisteredBuffer> _buffers = [];
    private bool _disposed;

    // Interlocked: registrations the driver refused as already registered, and buffers unregistered by the loader's callback.
    private long _refused;
    private long _freedByLoader;

    /// <summary>Gets the number of buffers registered.</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _buffers.Values.Count(b => b.Registration is not null);
            }
        }
    }

    /// <summary>Gets the number of times the driver refused a loader buffer as already page-locked by another owner.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Gets the number of buffers unregistered because the loader was about to free them.</summary>
    public long FreedByLoader => Interlocked.Read(ref _freedByLoader);

    /// <summary>Unregisters the buffer at <paramref name="pointer"/>; the loader calls it just before it frees the buffer.</summary>
    /// <remarks>
    /// Freeing a range still registered would leave the driver's registration on pages that are no longer the buffer's: a
    /// new buffer at the same address would be refused as already registered, or copied from through the stale pinning.
    /// The slot is the loader's at this time (its batch's copies completed before the ring handed it back).
    /// </remarks>
    public void OnBufferFreeing(nint pointer)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            foreach (KeyValuePair<(int Slot, int Field, bool Offsets), RegisteredBuffer> e in _buffers)
            {
                if (e.Value.Pointer == pointer)
                {
                    e.Value.Registration?.Dispose();
                    _buffers.Remove(e.Key);
                    Interlocked.Increment(ref _freedByLoader);
                    return;
                }
            }
        }
    }

    /// <summary>Registers the buffers of <paramref name="slot"/> not registered yet; the slot must not be being filled.</summary>
    public void Register(ShardLoader loader, int slot)
    {
        Schema schema = loader.Schema;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int field = 0; field < schema.Count; field++)
            {
                Ensure(loader, slot, field, offsets: false);
                if (schema[field].IsVariable)
                {
                    Ensure(loader, slot, field, offsets: true);
                }
            }
        }
    }

    /// <summary>Unregisters everything; later callbacks from the loader do nothing.</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            _disposed = true;
            foreach (RegisteredBuffer e in _buffers.Values)
            {
                e.Registration?.Dispose();
            }

            _buffers.Clear();
        }
    }

    // The loader allocates whole 4 KiB pages per buffer; registering whole pages is what the driver pins anyway.
    private void Ensure(ShardLoader loader, int slot, int field, bool offsets)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        var key = (slot, field, offsets);
        PinnedSlotBuffer buffer = loader.DangerousGetSlotBuffer(slot, field, offsets);
        (nint pointer, long bytes) = (buffer.Pointer, buffer.AllocatedBytes);
        if (pointer == 0 || (_buffers.TryGetValue(key, out RegisteredBuffer existing) && existing.Pointer == pointer && existing.Bytes == bytes && existing.Version == buffer.Version))
        {
            return;
        }

        // Only reached when the loader replaced a buffer without the callback (it always calls it): never keep a stale pinning.
        if (_buffers.Remove(key, out RegisteredBuffer old))
        {
            old.Registration?.Dispose();
        }

        IDisposable? registration = backend.RegisterHost(pointer, bytes, readOnly: false);
        if (registration is null)
        {
            Interlocked.Increment(ref _refused);
        }

        _buffers[key] = new RegisteredBuffer(pointer, bytes, buffer.Version, registration);
    }

    // A loader buffer as it was when page-locked (address, size, the loader's version of it) and the registration that
    // undoes it (null when the driver refused the range as already registered).
    private readonly record struct RegisteredBuffer(nint Pointer, long Bytes, int Version, IDisposable? Registration);
}
