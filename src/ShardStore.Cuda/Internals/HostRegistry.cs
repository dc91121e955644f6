
using ShardStore.Internals.Loading;

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
    public void DropStale(IReadOnlyList<BatchSlot> slots)
    {
        List<(int, int, bool)>? stale = null;
        foreach (KeyValuePair<(int Slot, int Field, bool Offsets), Entry> e in _entries)
        {
            (nint pointer, long bytes) = Locate(slots[e.Key.Slot], e.Key.Field, e.Key.Offsets);
            if (pointer != e.Value.Pointer || bytes != e.Value.Bytes)
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
    public void Register(BatchSlot slot, Schema schema)
    {
        for (int field = 0; field < schema.Count; field++)
        {
            Ensure(slot, field, offsets: false);
            if (schema[field].IsVariable)
            {
                Ensure(slot, field, offsets: true);
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

    private static unsafe (nint Pointer, long Bytes) Locate(BatchSlot slot, int field, bool offsets) => offsets
        ? ((nint)slot.Offsets(field), AllocatedSize(((long)slot.BatchSize + 1) * sizeof(long)))
        : ((nint)slot.Data(field), AllocatedSize(slot.Capacity(field)));

    // BatchSlot allocates whole 4 KiB pages (at least one) per buffer; registering whole pages is what the driver pins anyway.
    private static long AllocatedSize(long bytes) => Math.Max(BatchSlot.Alignment, (bytes + BatchSlot.Alignment - 1) & ~(long)(BatchSlot.Alignment - 1));

    private void Ensure(BatchSlot slot, int field, bool offsets)
    {
        var key = (slot.Index, field, offsets);
        (nint pointer, long bytes) = Locate(slot, field, offsets);
        if (pointer == 0 || (_entries.TryGetValue(key, out Entry existing) && existing.Pointer == pointer && existing.Bytes == bytes))
        {
            return;
        }

        if (_entries.Remove(key, out Entry old))
        {
            old.Registration?.Dispose();
        }

        _entries[key] = new Entry(pointer, bytes, backend.RegisterHost(pointer, bytes, readOnly: false));
    }

    private readonly record struct Entry(nint Pointer, long Bytes, IDisposable? Registration);
}
