namespace ShardStore.Compression;

/// <summary>Identifies how the stored bytes of a chunk are encoded; the value is written to disk.</summary>
public enum CodecKind : byte
{
    /// <summary>Stored bytes are the raw chunk; readers hand them out as zero-copy spans.</summary>
    None = 0,

    /// <summary>LZ4 block format, fast compressor.</summary>
    Lz4 = 1,

    /// <summary>LZ4 block format, high-compression compressor; decoded by the same decoder as <see cref="Lz4"/>.</summary>
    Lz4HC = 2,

    /// <summary>One Zstandard frame.</summary>
    Zstd = 3,
}
