using ShardStore.Compression;

namespace ShardStore;

/// <summary>How <see cref="ShardDataset"/> opens, verifies and decodes a dataset.</summary>
public sealed class ShardDatasetOptions
{
    /// <summary>Gets the codec implementations; required when any chunk is compressed (use <c>NativeCodecs.Provider</c> from ShardStore.Codecs).</summary>
    public IChunkCodecProvider? Codecs { get; init; }

    /// <summary>Gets when chunk checksums are verified. Default <see cref="ChecksumPolicy.Always"/>.</summary>
    public ChecksumPolicy Checksums { get; init; } = ChecksumPolicy.Always;

    /// <summary>
    /// Gets the hard limit, in bytes, on memory for decoded chunks: buffers held by leases, by the decoded-chunk
    /// cache, and kept for reuse. Default 256 MiB. It must hold at least the largest compressed chunk.
    /// </summary>
    public long DecodeBudgetBytes { get; init; } = 256L << 20;

    /// <summary>Gets how many shard files stay mapped at once; the least recently used are unmapped beyond it. Default 128.</summary>
    public int MaxMappedShards { get; init; } = 128;
}
