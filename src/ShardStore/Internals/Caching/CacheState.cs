using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ShardStore.Internals.Caching;

/// <summary>
/// The usage of a cache directory: every entry (of every dataset key) with its length and last use, and every
/// reservation of a write in progress. Read from and written back to the state file under the directory's lock.
/// </summary>
/// <remarks>While recording, every change is also written as a <see cref="CacheJournal"/> record, to be appended to the file.</remarks>
internal sealed class CacheState
{
    // One thread only (the holder of the directory lock, which loads, changes and saves this copy).
    private readonly Dictionary<CacheEntryName, CacheEntryRecord> _entries = [];
    private readonly Dictionary<ulong, CacheReservation> _reservations = [];
    private long _usedBytes;
    private ArrayBufferWriter<byte>? _recorded;
    private ArrayBufferWriter<byte>? _spare;

    /// <summary>Gets the bytes of every entry and reservation: what the directory's limit bounds.</summary>
    public long UsedBytes => _usedBytes;

    public IReadOnlyDictionary<CacheEntryName, CacheEntryRecord> Entries => _entries;

    public IReadOnlyDictionary<ulong, CacheReservation> Reservations => _reservations;

    /// <summary>Starts writing every change as a journal record (after the state was loaded).</summary>
    public void StartRecording()
    {
        _recorded = _spare ?? new ArrayBufferWriter<byte>(256);
        _recorded.ResetWrittenCount();
        _spare = null;
    }

    /// <summary>Stops recording and returns the records of the changes since <see cref="StartRecording"/>.</summary>
    public ReadOnlySpan<byte> StopRecording()
    {
        ReadOnlySpan<byte> records = _recorded is null ? default : _recorded.WrittenSpan;
        ArrayBufferWriter<byte>? recorded = _recorded;
        _recorded = null;
        _spare = recorded;
        return records;
    }

    public bool TryGetEntry(CacheEntryName name, out CacheEntryRecord record) => _entries.TryGetValue(name, out record);

    public void AddEntry(CacheEntryName name, CacheEntryRecord record)
    {
        Debug.Assert(record.Length >= 0);
        RemoveEntry(name);
        _entries.Add(name, record);
        _usedBytes += record.Length;
        if (_recorded is not null)
        {
            CacheJournal.AddEntry(_recorded, name, record);
        }
    }

    public bool RemoveEntry(CacheEntryName name)
    {
        if (!_entries.Remove(name, out CacheEntryRecord old))
        {
            return false;
        }

        _usedBytes -= old.Length;
        if (_recorded is not null)
        {
            CacheJournal.RemoveEntry(_recorded, name);
        }

        return true;
    }

    /// <summary>Moves an entry's last use forward to <paramref name="ticks"/> (never back: uses reported late by another process keep the newer one).</summary>
    public void Touch(CacheEntryName name, long ticks)
    {
        ref CacheEntryRecord record = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, name);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref record) && record.LastUseTicks < ticks)
        {
            record = record with { LastUseTicks = ticks };
            if (_recorded is not null)
            {
                CacheJournal.Touch(_recorded, name, ticks);
            }
        }
    }

    public void AddReservation(ulong token, CacheReservation reservation)
    {
        Debug.Assert(reservation.Size >= 0);
        RemoveReservation(token);
        _reservations.Add(token, reservation);
        _usedBytes += reservation.Size;
        if (_recorded is not null)
        {
            CacheJournal.AddReservation(_recorded, token, reservation);
        }
    }

    public bool RemoveReservation(ulong token)
    {
        if (!_reservations.Remove(token, out CacheReservation old))
        {
            return false;
        }

        _usedBytes -= old.Size;
        if (_recorded is not null)
        {
            CacheJournal.RemoveReservation(_recorded, token);
        }

        return true;
    }
}
