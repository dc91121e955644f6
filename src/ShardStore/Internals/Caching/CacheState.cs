using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ShardStore.Internals.Caching;

/// <summary>
/// The usage of a cache directory: every entry (of every dataset key) with its length and last use, and every
/// reservation of a write in progress. Read from and written back to the state file under the directory's lock.
/// </summary>
internal sealed class CacheState
{
    // One thread only (the holder of the directory lock, which loads, changes and saves this copy).
    private readonly Dictionary<CacheEntryName, CacheEntryRecord> _entries = [];
    private readonly Dictionary<ulong, CacheReservation> _reservations = [];
    private long _usedBytes;

    /// <summary>Gets the bytes of every entry and reservation: what the directory's limit bounds.</summary>
    public long UsedBytes => _usedBytes;

    public IReadOnlyDictionary<CacheEntryName, CacheEntryRecord> Entries => _entries;

    public IReadOnlyDictionary<ulong, CacheReservation> Reservations => _reservations;

    public bool TryGetEntry(CacheEntryName name, out CacheEntryRecord record) => _entries.TryGetValue(name, out record);

    public void AddEntry(CacheEntryName name, CacheEntryRecord record)
    {
        Debug.Assert(record.Length >= 0);
        RemoveEntry(name);
        _entries.Add(name, record);
        _usedBytes += record.Length;
    }

    public bool RemoveEntry(CacheEntryName name)
    {
        if (!_entries.Remove(name, out CacheEntryRecord old))
        {
            return false;
        }

        _usedBytes -= old.Length;
        return true;
    }

    /// <summary>Moves an entry's last use forward to <paramref name="ticks"/> (never back: uses reported late by another process keep the newer one).</summary>
    public void Touch(CacheEntryName name, long ticks)
    {
        ref CacheEntryRecord record = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, name);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref record) && record.LastUseTicks < ticks)
        {
            record = record with { LastUseTicks = ticks };
        }
    }

    public void AddReservation(ulong token, CacheReservation reservation)
    {
        Debug.Assert(reservation.Size >= 0);
        RemoveReservation(token);
        _reservations.Add(token, reservation);
        _usedBytes += reservation.Size;
    }

    public bool RemoveReservation(ulong token)
    {
        if (!_reservations.Remove(token, out CacheReservation old))
        {
            return false;
        }

        _usedBytes -= old.Size;
        return true;
    }
}
