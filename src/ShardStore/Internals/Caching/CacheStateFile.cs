using System.Buffers.Binary;
using System.Text;
using ShardStore.Internals.Integrity;

namespace ShardStore.Internals.Caching;

/// <summary>
/// The binary state file of a cache directory: magic, version, the dataset keys, the entries (key index, shard,
/// chunk, length, last use) and the reservations (token, key index, shard, chunk, size, created), then a CRC32C of
/// everything before it. A file that is missing, short or fails any check is rebuilt by a scan of the directory.
/// </summary>
/// <remarks>
/// Written in place under the directory's lock (nobody reads it without the lock), so a crash mid-write leaves a
/// file that fails its CRC, never one that is believed. All numbers little-endian.
/// </remarks>
internal static class CacheStateFile
{
    private const ulong Magic = 0x3145484341434853; // "SHCACHE1" read as a little-endian u64
    private const int Version = 1;
    private const int HeaderBytes = 8 + 4;
    private const int EntryBytes = 4 + 4 + 4 + 8 + 8;
    private const int ReservationBytes = 8 + 4 + 4 + 4 + 8 + 8;

    /// <summary>Reads the state, or returns null when the file is missing or is not a whole, valid state.</summary>
    public static CacheState? TryRead(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return TryParse(bytes);
    }

    public static CacheState? TryParse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes + 4 + 4 + 4 + 4)
        {
            return null;
        }

        ReadOnlySpan<byte> body = bytes[..^4];
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..])
            || BinaryPrimitives.ReadUInt64LittleEndian(body) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(body[8..]) != Version)
        {
            return null;
        }

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

    public static void Write(string path, CacheState state)
    {
        byte[] bytes = Serialize(state);
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        file.Write(bytes);
        file.SetLength(bytes.Length);
    }

    public static byte[] Serialize(CacheState state)
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
