using System.Buffers.Binary;
using ShardStore.Internals;

namespace ShardStore.Format;

/// <summary>The 64-byte header at offset 0 of a shard.</summary>
internal readonly record struct ShardHeader(ulong SchemaFingerprint, int ShardIndex, int FieldCount, long FirstSample, long SampleCount, long ChunkCount)
{
    public void Write(Span<byte> destination)
    {
        destination = destination[..FormatConstants.HeaderSize];
        destination.Clear();
        FormatConstants.HeaderMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], FormatConstants.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], FormatConstants.HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], 0); // flags
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], SchemaFingerprint);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)ShardIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], (uint)FieldCount);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], (ulong)FirstSample);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], (ulong)SampleCount);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[48..], (ulong)ChunkCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[56..], FormatConstants.ChunkAlignment);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[60..], Crc32C.Compute(destination[..60]));
    }

    /// <summary>Parses and checks magic, version, size, flags and CRC; returns the problem, or null when valid.</summary>
    public static string? TryRead(ReadOnlySpan<byte> source, out ShardHeader header)
    {
        header = default;
        if (!source[..8].SequenceEqual(FormatConstants.HeaderMagic))
        {
            return "wrong magic at offset 0; this is not a ShardStore shard";
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(source[8..]);
        if (version != FormatConstants.Version)
        {
            return version > FormatConstants.Version
                ? $"format version {version} is newer than this reader understands ({FormatConstants.Version}); upgrade ShardStore"
                : $"unsupported format version {version}";
        }

        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(source[60..]);
        uint crc = Crc32C.Compute(source[..60]);
        if (storedCrc != crc)
        {
            return $"header CRC32C mismatch (stored 0x{storedCrc:X8}, computed 0x{crc:X8})";
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(source[10..]) != FormatConstants.HeaderSize
            || BinaryPrimitives.ReadUInt32LittleEndian(source[12..]) != 0
            || BinaryPrimitives.ReadUInt32LittleEndian(source[56..]) != FormatConstants.ChunkAlignment)
        {
            return "header size, flags or alignment differ from format v1";
        }

        ulong firstSample = BinaryPrimitives.ReadUInt64LittleEndian(source[32..]);
        ulong sampleCount = BinaryPrimitives.ReadUInt64LittleEndian(source[40..]);
        ulong chunkCount = BinaryPrimitives.ReadUInt64LittleEndian(source[48..]);
        if (firstSample > long.MaxValue || sampleCount > long.MaxValue || chunkCount > int.MaxValue)
        {
            return "header counts are out of range";
        }

        header = new ShardHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(source[24..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(source[28..]),
            (long)firstSample,
            (long)sampleCount,
            (long)chunkCount);
        return null;
    }
}
