using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda.Internals.Ring;

/// <summary>
/// Keeps the loader's batch-slot buffers page-locked: each buffer registered once, and registered again when the
/// loader replaced it (a variable-length field's buffer grows by reallocation). Used by the producer thread only.
/// </summary>
internal sealed class HostRegistry(IDeviceBackend backend) : IDisposable
{
    // One thread at a time (the ring's constructor, then its producer thread, then its Dispose once the producer stopped):
    // the loader buffers page-locked now, by slot, field and values or offsets.
    private readonly Dictionary<(int Slot, int Field, bool Offsets), RegisteredBuffer> _buffers = [];

    /// <summary>Gets the number of buffers registered.</summary>
    public int Count => _buffers.Count;

    /// <summary>Unregisters every buffer the loader has replaced since it was registered, in any slot.</summary>
    /// <remarks>
    /// Done before registering anything: a freed buffer still registered keeps its old pages pinned, and a new buffer
    /// at the same address would be refused as already registered, or worse, copied from the stale pages.
    /// </remarks>
    public void DropStale(ShardLoader loader)
    {
        List<(int, int, bool)>? stale = null;
        foreach (KeyValuePair<(int Slot, int Field, bool Offsets), RegisteredBuffer> e in _buffers)
        {
            PinnedSlotBuffer buffer = loader.DangerousGetSlotBuffer(e.Key.Slot, e.Key.Field, e.Key.Offsets);
            if (buffer.Pointer != e.Value.Pointer || buffer.AllocatedBytes != e.Value.Bytes || buffer.Version != e.Value.Version)
            {
                (stale ??= []).Add(e.Key);
            }
        }

        if (stale is null)
        {
            return;
        }

        foreach ((int, int, bool) key in stale)
        {
            _buffers[key].Registration?.Dispose();
            _buffers.Remove(key);
        }
    }

    /// <summary>Registers the buffers of <paramref name="slot"/> not registered yet; the slot must not be being filled.</summary>
    public void Register(ShardLoader loader, int slot)
    {
        Schema schema = loader.Schema;
        for (int field = 0; field < schema.Count; field++)
        {
            Ensure(loader, slot, field, offsets: false);
            if (schema[field].IsVariable)
            {
                Ensure(loader, slot, field, offsets: true);
            }
        }
    }

    /// <summary>Unregisters everything.</summary>
    public void Dispose()
    {
        foreach (RegisteredBuffer e in _buffers.Values)
        {
            e.Registration?.Dispose();
        }

        _buffers.Clear();
    }

    // The loader allocates whole 4 KiB pages per buffer; registering whole pages is what the driver pins anyway.
    private void Ensure(ShardLoader loader, int slot, int field, bool offsets)
    {
        var key = (slot, field, offsets);
        PinnedSlotBuffer buffer = loader.DangerousGetSlotBuffer(slot, field, offsets);
        (nint pointer, long bytes) = (buffer.Pointer, buffer.AllocatedBytes);
        if (pointer == 0 || (_buffers.TryGetValue(key, out RegisteredBuffer existing) && existing.Pointer == pointer && existing.Bytes == bytes && existing.Version == buffer.Version))
        {
            return;
        }

        if (_buffers.Remove(key, out RegisteredBuffer old))
        {
            old.Registration?.Dispose();
        }

        _buffers[key] = new RegisteredBuffer(pointer, bytes, buffer.Version, backend.RegisterHost(pointer, bytes, readOnly: false));
    }

    // A loader buffer as it was when page-locked (address, size, the loader's version of it) and the registration that undoes it.
    private readonly record struct RegisteredBuffer(nint Pointer, long Bytes, int Version, IDisposable? Registration);
}
