using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ShardStore.Internals.Integrity;

namespace ShardStore.Internals.Caching;

/// <summary>
/// The records appended to the state file after its snapshot, one per change: type, dataset key (length-prefixed),
/// the change's numbers, then a CRC32C of the record. A process that saw the file before reads only the records
/// added since, so a change costs O(1) rather than a rewrite of every entry.
/// </summary>
internal static class CacheJournal
{
    private const int MaxRecordBytes = 2 + CacheLayout.MaxKeyLength + 32 + 4;

    private enum RecordType : byte
    {
        AddEntry = 1,
        RemoveEntry = 2,
        Touch = 3,
        AddReservation = 4,
        RemoveReservation = 5,
    }

    public static void AddEntry(IBufferWriter<byte> journal, CacheEntryName name, CacheEntryRecord record)
    {
        Span<byte> r = Begin(journal, RecordType.AddEntry, name.DatasetKey, out int at);
        BinaryPrimitives.WriteInt32LittleEndian(r[at..], name.Shard);
        BinaryPrimitives.WriteInt32LittleEndian(r[(at + 4)..], name.Chunk);
        BinaryPrimitives.WriteInt64LittleEndian(r[(at + 8)..], record.Length);
        BinaryPrimitives.WriteInt64LittleEndian(r[(at + 16)..], record.LastUseTicks);
        End(journal, r, at + 24);
    }

    public static void RemoveEntry(IBufferWriter<byte> journal, CacheEntryName name)
    {
        Span<byte> r = Begin(journal, RecordType.RemoveEntry, name.DatasetKey, out int at);
        BinaryPrimitives.WriteInt32LittleEndian(r[at..], name.Shard);
        BinaryPrimitives.WriteInt32LittleEndian(r[(at + 4)..], name.Chunk);
        End(journal, r, at + 8);
    }

    public static void Touch(IBufferWriter<byte> journal, CacheEntryName name, long ticks)
    {
        Span<byte> r = Begin(journal, RecordType.Touch, name.DatasetKey, out int at);
        BinaryPrimitives.WriteInt32LittleEndian(r[at..], name.Shard);
        BinaryPrimitives.WriteInt32LittleEndian(r[(at + 4)..], name.Chunk);
        BinaryPrimitives.WriteInt64LittleEndian(r[(at + 8)..], ticks);
        End(journal, r, at + 16);
    }

    public static void AddReservation(IBufferWriter<byte> journal, ulong token, CacheReservation reservation)
    {
        Span<byte> r = Begin(journal, RecordType.AddReservation, reservation.Name.DatasetKey, out int at);
        BinaryPrimitives.WriteUInt64LittleEndian(r[at..], token);
        BinaryPrimitives.WriteInt32LittleEndian(r[(at + 8)..], reservation.Name.Shard);
        BinaryPrimitives.WriteInt32LittleEndian(r[(at + 12)..], reservation.Name.Chunk);
        BinaryPrimitives.WriteInt64LittleEndian(r[(at + 16)..], reservation.Size);
        BinaryPrimitives.WriteInt64LittleEndian(r[(at + 24)..], reservation.CreatedTicks);
        End(journal, r, at + 32);
    }

    public static void RemoveReservation(IBufferWriter<byte> journal, ulong token)
    {
        Span<byte> r = Begin(journal, RecordType.RemoveReservation, "", out int at);
        BinaryPrimitives.WriteUInt64LittleEndian(r[at..], token);
        End(journal, r, at + 8);
    }

    /// <summary>Applies every record of <paramref name="records"/> to <paramref name="state"/> (which must not be recording).</summary>
    /// <returns>False when a record is torn (a writer died mid-append) or fails its check: the state is then unusable.</returns>
    public static bool TryApply(ReadOnlySpan<byte> records, CacheState state)
    {
        while (!records.IsEmpty)
        {
            if (records.Length < 2)
            {
                return false;
            }

            var type = (RecordType)records[0];
            int keyLength = records[1];
            int bodyLength = type switch
            {
                RecordType.AddEntry => 24,
                RecordType.RemoveEntry => 8,
                RecordType.Touch => 16,
                RecordType.AddReservation => 32,
                RecordType.RemoveReservation => 8,
                _ => -1,
            };
            int length = 2 + keyLength + bodyLength + 4;
            if (bodyLength < 0 || records.Length < length
                || Crc32C.Compute(records[..(length - 4)]) != BinaryPrimitives.ReadUInt32LittleEndian(records[(length - 4)..]))
            {
                return false;
            }

            string key = Encoding.ASCII.GetString(records.Slice(2, keyLength));
            ReadOnlySpan<byte> b = records.Slice(2 + keyLength, bodyLength);
            if (!Apply(type, key, b, state))
            {
                return false;
            }

            records = records[length..];
        }

        return true;
    }

    private static bool Apply(RecordType type, string key, ReadOnlySpan<byte> b, CacheState state)
    {
        if (type == RecordType.RemoveReservation)
        {
            state.RemoveReservation(BinaryPrimitives.ReadUInt64LittleEndian(b));
            return true;
        }

        if (!CacheLayout.IsValidKey(key))
        {
            return false;
        }

        int at = type == RecordType.AddReservation ? 8 : 0;
        int shard = BinaryPrimitives.ReadInt32LittleEndian(b[at..]);
        int chunk = BinaryPrimitives.ReadInt32LittleEndian(b[(at + 4)..]);
        if (shard < 0 || chunk < 0)
        {
            return false;
        }

        var name = new CacheEntryName(key, shard, chunk);
        switch (type)
        {
            case RecordType.AddEntry:
                long length = BinaryPrimitives.ReadInt64LittleEndian(b[8..]);
                if (length < 0)
                {
                    return false;
                }

                state.AddEntry(name, new CacheEntryRecord(length, BinaryPrimitives.ReadInt64LittleEndian(b[16..])));
                return true;
            case RecordType.RemoveEntry:
                state.RemoveEntry(name);
                return true;
            case RecordType.Touch:
                state.Touch(name, BinaryPrimitives.ReadInt64LittleEndian(b[8..]));
                return true;
            default:
                long size = BinaryPrimitives.ReadInt64LittleEndian(b[16..]);
                if (size < 0)
                {
                    return false;
                }

                state.AddReservation(BinaryPrimitives.ReadUInt64LittleEndian(b), new CacheReservation(name, size, BinaryPrimitives.ReadInt64LittleEndian(b[24..])));
                return true;
        }
    }

    private static Span<byte> Begin(IBufferWriter<byte> journal, RecordType type, string key, out int at)
    {
        Span<byte> r = journal.GetSpan(MaxRecordBytes);
        r[0] = (byte)type;
        r[1] = (byte)key.Length;
        at = 2 + Encoding.ASCII.GetBytes(key, r[2..]);
        return r;
    }

    private static void End(IBufferWriter<byte> journal, Span<byte> r, int length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(r[length..], Crc32C.Compute(r[..length]));
        journal.Advance(length + 4);
    }
}
