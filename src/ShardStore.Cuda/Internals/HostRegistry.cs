
namespace ShardStore.Cuda.Internals;

/// <summary>
/// Keeps the loader's batch-slot buffers page-locked: each buffer registered once, and registered again when the
/// loader replaced it (a variable-length field's buffer grows by reallocation). Used by the producer thread only.
/// </summary>
internal sealed class HostRegistry(IDeviceBackend backend) : IDisposable
{
    private readonly Dictionary<(int Slot, int Field, bool Offsets), Entry> _entries = [];

    /// <summary>Gets the number of buffers registered.</summary>
    public int Count => _entries.Count;

    /// <summary>Unregisters every buffer the loader has replaced since it was registered, in any slot.</summary>
    /// <remarks>
    /// Done before registering anything: a freed buffer still registered keeps its old pages pinned, and a new buffer
    /// at the same address would be refused as already registered, or worse, copied from the stale pages.
    /// </remarks>
    public void DropStale(ShardLoader loader)
    {
        List<(int, int, bool)>? stale = null;
        foreach (KeyValuePair<(int Slot, int Field, bool Offsets), Entry> e in _entries)
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
            _entries[key].Registration?.Dispose();
            _entries.Remove(key);
        }
    }

    /// <summary>Registers the buffers of <paramref name="slot"/> not registered yet; the slot must not be being filled.</summary>
    public void Register(ShardLoader loader, int slot)
    {
        Schema schema = loader.Dataset.Schema;
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
        foreach (Entry e in _entries.Values)
        {
            e.Registration?.Dispose();
        }

        _entries.Clear();
    }

    // The loader allocates whole 4 KiB pages per buffer; registering whole pages is what the driver pins anyway.
    private void Ensure(ShardLoader loader, int slot, int field, bool offsets)
    {
        var key = (slot, field, offsets);
        PinnedSlotBuffer buffer = loader.DangerousGetSlotBuffer(slot, field, offsets);
        (nint pointer, long bytes) = (buffer.Pointer, buffer.AllocatedBytes);
        if (pointer == 0 || (_entries.TryGetValue(key, out Entry existing) && existing.Pointer == pointer && existing.Bytes == bytes && existing.Version == buffer.Version))
        {
            return;
        }

        if (_entries.Remove(key, out Entry old))
        {
            old.Registration?.Dispose();
        }

        _entries[key] = new Entry(pointer, bytes, buffer.Version, backend.RegisterHost(pointer, bytes, readOnly: false));
    }

    private readonly record struct Entry(nint Pointer, long Bytes, int Version, IDisposable? Registration);
}
