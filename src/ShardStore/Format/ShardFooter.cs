using System.Buffers.Binary;
using ShardStore.Internals.Integrity;

namespace ShardStore.Format;

/// <summary>The 32-byte footer that ends every complete shard.</summary>
internal readonly record struct ShardFooter(long TableOffset, long ChunkCount, uint TableCrc)
{
    public void Write(Span<byte> destination)
    {
        destination = destination[..FormatConstants.FooterSize];
        BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)TableOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], (ulong)ChunkCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], TableCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], Crc32C.Compute(destination[..20]));
        FormatConstants.FooterMagic.CopyTo(destination[24..]);
    }

    /// <summary>Parses and checks magic and CRC; returns the problem, or null when valid.</summary>
    public static string? TryRead(ReadOnlySpan<byte> source, out ShardFooter footer)
    {
        footer = default;
        if (!source.Slice(24, 8).SequenceEqual(FormatConstants.FooterMagic))
        {
            return "footer magic missing; the shard is truncated or was not finished";
        }

        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(source[20..]);
        uint crc = Crc32C.Compute(source[..20]);
        if (storedCrc != crc)
        {
            return $"footer CRC32C mismatch (stored 0x{storedCrc:X8}, computed 0x{crc:X8})";
        }

        ulong tableOffset = BinaryPrimitives.ReadUInt64LittleEndian(source);
        ulong chunkCount = BinaryPrimitives.ReadUInt64LittleEndian(source[8..]);
        if (tableOffset > long.MaxValue || chunkCount > int.MaxValue)
        {
            return "footer offsets are out of range";
        }

        footer = new ShardFooter((long)tableOffset, (long)chunkCount, BinaryPrimitives.ReadUInt32LittleEndian(source[16..]));
        return null;
    }
}
