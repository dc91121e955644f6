using System.Buffers.Binary;
using ShardStore.Compression;

namespace ShardStore.Format;

/// <summary>One 48-byte chunk-table entry.</summary>
internal readonly record struct ChunkEntry(long Offset, long StoredSize, long RawSize, long FirstSample, int SampleCount, CodecKind Codec, uint Crc)
{
    public long End => Offset + StoredSize;

    public void Write(Span<byte> destination)
    {
        destination = destination[..FormatConstants.ChunkEntrySize];
        destination.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)Offset);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], (ulong)StoredSize);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], (ulong)RawSize);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], (ulong)FirstSample);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], (uint)SampleCount);
        destination[36] = (byte)Codec;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], Crc);
    }

    /// <summary>Parses one entry; returns the problem with its fields, or null when each field is in range.</summary>
    public static string? TryRead(ReadOnlySpan<byte> source, out ChunkEntry entry)
    {
        entry = default;
        ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(source);
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(source[8..]);
        ulong raw = BinaryPrimitives.ReadUInt64LittleEndian(source[16..]);
        ulong first = BinaryPrimitives.ReadUInt64LittleEndian(source[24..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(source[32..]);
        byte codec = source[36];
        if (source[37] != 0 || BinaryPrimitives.ReadUInt16LittleEndian(source[38..]) != 0 || BinaryPrimitives.ReadUInt32LittleEndian(source[44..]) != 0)
        {
            return "reserved bytes of the chunk-table entry are not zero";
        }

        if (codec > (byte)CodecKind.Zstd)
        {
            return $"unknown codec {codec}";
        }

        if (offset > long.MaxValue || stored > long.MaxValue || raw > long.MaxValue || first > long.MaxValue || count > int.MaxValue)
        {
            return "chunk-table entry values are out of range";
        }

        entry = new ChunkEntry((long)offset, (long)stored, (long)raw, (long)first, (int)count, (CodecKind)codec, BinaryPrimitives.ReadUInt32LittleEndian(source[40..]));
        return null;
    }
}
