using System.Buffers.Binary;
using System.Text;
using ShardStore.Internals.Integrity;

namespace ShardStore.Internals.Caching;

/// <summary>
/// The binary state file of a cache directory: a snapshot, then a journal of the changes since.
/// </summary>
/// <remarks>
/// <para>
/// The snapshot: magic, version, its own length, an epoch (random, new for every snapshot), the dataset keys, the
/// entries (key index, shard, chunk, length, last use), the reservations (token, key index, shard, chunk, size,
/// created), then a CRC32C of the snapshot before it. After it, <see cref="CacheJournal"/> records, appended one
/// batch per change. A process that loaded the file before and finds the same epoch reads only the records added
/// since; once the journal outgrows the snapshot, the next change writes a new snapshot (and epoch) in its place.
/// </para>
/// <para>
/// Only read and written under the directory's lock. A crash mid-write leaves a snapshot that fails its CRC or a torn
/// last record, never a state that is believed: the next holder of the lock rebuilds it by a scan of the directory.
/// All numbers little-endian.
/// </para>
/// </remarks>
internal static class CacheStateFile
{
    private const ulong Magic = 0x3145484341434853; // "SHCACHE1" read as a little-endian u64
    private const int Version = 2;
    private const int HeaderBytes = 8 + 4 + 4 + 8;
    private const int EntryBytes = 4 + 4 + 4 + 8 + 8;
    private const int ReservationBytes = 8 + 4 + 4 + 4 + 8 + 8;

    /// <summary>Opens the state file for one hold of the directory's lock (created empty when missing).</summary>
    public static FileStream Open(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    /// <summary>Reads the whole state (snapshot and journal), or returns null when the file is missing or is not a whole, valid state.</summary>
    public static CacheState? TryRead(string path)
    {
        try
        {
            using FileStream file = Open(path);
            return TryRead(file, out _, out _, out _);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="state"/> as a new snapshot with a new epoch, with no journal.</summary>
    public static void Write(string path, CacheState state)
    {
        using FileStream file = Open(path);
        WriteSnapshot(file, state, NewEpoch());
    }

    public static ulong NewEpoch() => (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);

    /// <inheritdoc cref="TryRead(string)"/>
    /// <param name="file">The open state file.</param>
    /// <param name="snapshotLength">The bytes of the snapshot, where the journal starts.</param>
    /// <param name="epoch">The snapshot's epoch.</param>
    /// <param name="length">The bytes read: where the next record goes.</param>
    public static CacheState? TryRead(FileStream file, out long snapshotLength, out ulong epoch, out long length)
    {
        snapshotLength = 0;
        epoch = 0;
        length = file.Length;
        if (length > int.MaxValue)
        {
            return null;
        }

        byte[] bytes = new byte[length];
        if (RandomAccess.Read(file.SafeFileHandle, bytes, 0) != bytes.Length)
        {
            return null;
        }

        CacheState? state = TryParseSnapshot(bytes, out snapshotLength, out epoch);
        return state is not null && CacheJournal.TryApply(bytes.AsSpan((int)snapshotLength), state) ? state : null;
    }

    /// <summary>Reads the epoch of the file's snapshot; false when the file has no valid header.</summary>
    public static bool TryReadEpoch(FileStream file, out ulong epoch)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        epoch = 0;
        if (RandomAccess.Read(file.SafeFileHandle, header, 0) != HeaderBytes
            || BinaryPrimitives.ReadUInt64LittleEndian(header) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != Version)
        {
            return false;
        }

        epoch = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        return true;
    }

    /// <summary>Applies the records from <paramref name="from"/> to the end of the file to <paramref name="state"/>.</summary>
    /// <returns>False when a record is torn or invalid (<paramref name="state"/> is then unusable).</returns>
    public static bool TryApplyJournal(FileStream file, long from, CacheState state, out long length)
    {
        length = file.Length;
        if (length < from || length - from > int.MaxValue)
        {
            return false;
        }

        byte[] bytes = new byte[length - from];
        return RandomAccess.Read(file.SafeFileHandle, bytes, from) == bytes.Length && CacheJournal.TryApply(bytes, state);
    }

    /// <summary>Appends journal records at <paramref name="at"/> (the end of the file); returns the new length.</summary>
    public static long Append(FileStream file, long at, ReadOnlySpan<byte> records)
    {
        RandomAccess.Write(file.SafeFileHandle, records, at);
        return at + records.Length;
    }

    /// <summary>Replaces the file's content by a snapshot of <paramref name="state"/>; returns its length.</summary>
    public static long WriteSnapshot(FileStream file, CacheState state, ulong epoch)
    {
        byte[] bytes = Serialize(state, epoch);
        RandomAccess.Write(file.SafeFileHandle, bytes, 0);
        file.SetLength(bytes.Length);
        return bytes.Length;
    }

    private static CacheState? TryParseSnapshot(ReadOnlySpan<byte> bytes, out long snapshotLength, out ulong epoch)
    {
        snapshotLength = 0;
        epoch = 0;
        if (bytes.Length < HeaderBytes + 4 + 4 + 4 + 4
            || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]) != Version)
        {
            return null;
        }

        int snapshotBytes = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (snapshotBytes < HeaderBytes + 4 + 4 + 4 + 4 || snapshotBytes > bytes.Length)
        {
            return null;
        }

        ReadOnlySpan<byte> body = bytes[..(snapshotBytes - 4)];
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[(snapshotBytes - 4)..]))
        {
            return null;
        }

        snapshotLength = snapshotBytes;
        epoch = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        var reader = new SpanReader(body[HeaderBytes..]);
        if (!reader.TryReadCount(1, out int keyCount))
        {
            return null;
        }

        var keys = new string[keyCount];
        for (int i = 0; i < keyCount; i++)
        {
            if (!reader.TryReadByte(out byte length) || !reader.TryReadBytes(length, out ReadOnlySpan<byte> text))
            {
                return null;
            }

            keys[i] = Encoding.ASCII.GetString(text);
            if (!CacheLayout.IsValidKey(keys[i]))
            {
                return null;
            }
        }

        var state = new CacheState();
        if (!reader.TryReadCount(EntryBytes, out int entryCount))
        {
            return null;
        }

        for (int i = 0; i < entryCount; i++)
        {
            uint key = reader.ReadUInt32();
            int shard = reader.ReadInt32();
            int chunk = reader.ReadInt32();
            long length = reader.ReadInt64();
            long lastUse = reader.ReadInt64();
            if (key >= (uint)keyCount || shard < 0 || chunk < 0 || length < 0)
            {
                return null;
            }

            state.AddEntry(new CacheEntryName(keys[key], shard, chunk), new CacheEntryRecord(length, lastUse));
        }

        if (!reader.TryReadCount(ReservationBytes, out int reservationCount))
        {
            return null;
        }

        for (int i = 0; i < reservationCount; i++)
        {
            ulong token = reader.ReadUInt64();
            uint key = reader.ReadUInt32();
            int shard = reader.ReadInt32();
            int chunk = reader.ReadInt32();
            long size = reader.ReadInt64();
            long created = reader.ReadInt64();
            if (key >= (uint)keyCount || shard < 0 || chunk < 0 || size < 0)
            {
                return null;
            }

            state.AddReservation(token, new CacheReservation(new CacheEntryName(keys[key], shard, chunk), size, created));
        }

        return reader.Remaining == 0 ? state : null;
    }

    private static byte[] Serialize(CacheState state, ulong epoch)
    {
        var keyIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (CacheEntryName name in state.Entries.Keys)
        {
            keyIndex.TryAdd(name.DatasetKey, keyIndex.Count);
        }

        foreach (CacheReservation reservation in state.Reservations.Values)
        {
            keyIndex.TryAdd(reservation.Name.DatasetKey, keyIndex.Count);
        }

        int keyBytes = 0;
        foreach (string key in keyIndex.Keys)
        {
            keyBytes += 1 + key.Length;
        }

        int length = HeaderBytes + 4 + keyBytes + 4 + (state.Entries.Count * EntryBytes) + 4 + (state.Reservations.Count * ReservationBytes) + 4;
        byte[] bytes = new byte[length];
        Span<byte> s = bytes;
        BinaryPrimitives.WriteUInt64LittleEndian(s, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(s[12..], length);
        BinaryPrimitives.WriteUInt64LittleEndian(s[16..], epoch);
        int at = HeaderBytes;
        BinaryPrimitives.WriteInt32LittleEndian(s[at..], keyIndex.Count);
        at += 4;
        foreach (string key in keyIndex.Keys)
        {
            s[at++] = (byte)key.Length;
            at += Encoding.ASCII.GetBytes(key, s[at..]);
        }

        BinaryPrimitives.WriteInt32LittleEndian(s[at..], state.Entries.Count);
        at += 4;
        foreach ((CacheEntryName name, CacheEntryRecord record) in state.Entries)
        {
            BinaryPrimitives.WriteInt32LittleEndian(s[at..], keyIndex[name.DatasetKey]);
            BinaryPrimitives.WriteInt32LittleEndian(s[(at + 4)..], name.Shard);
            BinaryPrimitives.WriteInt32LittleEndian(s[(at + 8)..], name.Chunk);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 12)..], record.Length);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 20)..], record.LastUseTicks);
            at += EntryBytes;
        }

        BinaryPrimitives.WriteInt32LittleEndian(s[at..], state.Reservations.Count);
        at += 4;
        foreach ((ulong token, CacheReservation reservation) in state.Reservations)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s[at..], token);
            BinaryPrimitives.WriteInt32LittleEndian(s[(at + 8)..], keyIndex[reservation.Name.DatasetKey]);
            BinaryPrimitives.WriteInt32LittleEndian(s[(at + 12)..], reservation.Name.Shard);
            BinaryPrimitives.WriteInt32LittleEndian(s[(at + 16)..], reservation.Name.Chunk);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 20)..], reservation.Size);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 28)..], reservation.CreatedTicks);
            at += ReservationBytes;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(s[at..], Crc32C.Compute(s[..at]));
        return bytes;
    }

    // Bounds-checked cursor over the body; counts are checked against the bytes left before any record is read.
    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private int _at;

        public readonly int Remaining => _span.Length - _at;

        public bool TryReadCount(int recordBytes, out int count)
        {
            count = 0;
            if (Remaining < 4)
            {
                return false;
            }

            count = BinaryPrimitives.ReadInt32LittleEndian(_span[_at..]);
            _at += 4;
            return count >= 0 && (long)count * recordBytes <= Remaining;
        }

        public bool TryReadByte(out byte value)
        {
            value = 0;
            if (Remaining < 1)
            {
                return false;
            }

            value = _span[_at++];
            return true;
        }

        public bool TryReadBytes(int length, out ReadOnlySpan<byte> bytes)
        {
            bytes = default;
            if (Remaining < length)
            {
                return false;
            }

            bytes = _span.Slice(_at, length);
            _at += length;
            return true;
        }

        public uint ReadUInt32()
        {
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(_span[_at..]);
            _at += 4;
            return v;
        }

        public int ReadInt32()
        {
            int v = BinaryPrimitives.ReadInt32LittleEndian(_span[_at..]);
            _at += 4;
            return v;
        }

        public long ReadInt64()
        {
            long v = BinaryPrimitives.ReadInt64LittleEndian(_span[_at..]);
            _at += 8;
            return v;
        }

        public ulong ReadUInt64()
        {
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_span[_at..]);
            _at += 8;
            return v;
        }
    }
}
