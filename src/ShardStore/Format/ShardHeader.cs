using System.Buffers.Binary;
using ShardStore.Internals.Integrity;

namespace ShardStore.Format;

/// <summary>
/// The 64-byte header at offset 0 of a shard, followed in the header page by the dataset identity and its CRC32C
/// (all zero in shards written before identities existed, which v1 readers never looked at).
/// </summary>
internal readonly record struct ShardHeader(ulong SchemaFingerprint, int ShardIndex, int FieldCount, long FirstSample, long SampleCount, long ChunkCount, DatasetIdentity Identity = default)
{
    /// <summary>Writes <see cref="FormatConstants.HeaderReadSize"/> bytes: header and identity.</summary>
    public void Write(Span<byte> destination)
    {
        destination = destination[..FormatConstants.HeaderReadSize];
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
        if (!Identity.IsNone)
        {
            Span<byte> identity = destination.Slice(FormatConstants.IdentityOffset, DatasetIdentity.Size);
            Identity.Write(identity);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(FormatConstants.IdentityOffset + DatasetIdentity.Size)..], Crc32C.Compute(identity));
        }
    }

    /// <summary>Parses and checks magic, version, size, flags, CRC and the identity's CRC; returns the problem, or null when valid.</summary>
    /// <param name="source">The first <see cref="FormatConstants.HeaderReadSize"/> bytes of the shard.</param>
    /// <param name="header">The header.</param>
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

        string? problem = TryReadIdentity(source, out DatasetIdentity identity);
        if (problem is not null)
        {
            return problem;
        }

        header = new ShardHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(source[24..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(source[28..]),
            (long)firstSample,
            (long)sampleCount,
            (long)chunkCount,
            identity);
        return null;
    }

    /// <summary>Reads the dataset identity after the header: all 20 bytes zero is none; otherwise its CRC32C must match and it must not be zero.</summary>
    public static string? TryReadIdentity(ReadOnlySpan<byte> source, out DatasetIdentity identity)
    {
        identity = default;
        ReadOnlySpan<byte> bytes = source.Slice(FormatConstants.IdentityOffset, DatasetIdentity.Size);
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(source[(FormatConstants.IdentityOffset + DatasetIdentity.Size)..]);
        if (storedCrc == 0 && !bytes.ContainsAnyExcept((byte)0))
        {
            return null;
        }

        uint crc = Crc32C.Compute(bytes);
        if (storedCrc != crc)
        {
            return $"dataset identity CRC32C mismatch (stored 0x{storedCrc:X8}, computed 0x{crc:X8})";
        }

        identity = DatasetIdentity.Read(bytes);
        return identity.IsNone ? "the dataset identity is zero but carries a CRC32C" : null;
    }
}
