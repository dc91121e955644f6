using ShardStore.Compression;
using ShardStore.Storage;

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

    /// <summary>
    /// Gets how a local dataset's chunks are read. Default <see cref="ShardReadMode.Auto"/>: mapped when the shard
    /// files fit in a quarter of the memory available to the process, direct reads otherwise. Remote datasets are
    /// always read into memory the reader owns.
    /// </summary>
    public ShardReadMode ReadMode { get; init; } = ShardReadMode.Auto;

    /// <summary>
    /// Gets whether <see cref="ShardReadMode.Direct"/> reads bypass the page cache (<c>O_DIRECT</c> on Linux), where the
    /// platform and file system allow it; otherwise they go through the page cache. With it, a loader's planned chunks
    /// are read ahead into buffers of the dataset (<see cref="ReadAheadBytes"/> of them, up to a quarter more while
    /// reads are in flight), eight reads at a time, since the kernel reads nothing ahead of such reads. Null or false
    /// (the default): reads go through the page cache, which the kernel fills ahead on the loader's hints; on a 2-core
    /// virtual machine that was faster out of core than <c>O_DIRECT</c>, whose freshly read buffers cost the decode
    /// workers more to touch first than the kernel's copy did. <c>O_DIRECT</c> pays where the page cache must be spared.
    /// </summary>
    public bool? DirectIo { get; init; }

    /// <summary>
    /// Gets what opens locations that are not local directories, such as <c>s3://bucket/prefix</c>
    /// (<c>S3Storage.Provider</c> from ShardStore.S3); null for local directories only.
    /// </summary>
    public IObjectStorageProvider? ObjectStorage { get; init; }

    /// <summary>
    /// Gets how many stored bytes a <see cref="ShardLoader"/> reads ahead of the chunk it decodes (Sequential and Window
    /// order), always at least two windows; null (the default) for a local dataset a thirty-second of the memory
    /// available to the process, at most 256 MiB (page cache the kernel fills ahead, or with <see cref="DirectIo"/>
    /// buffers of the dataset), and for a remote one 128 MiB (fetched into memory ahead of use, within the fetcher's 256 MiB).
    /// </summary>
    public long? ReadAheadBytes { get; init; }

    /// <summary>
    /// Gets the generation to open (1 for the pack, one more for each append), or null (the default) for the newest.
    /// An older generation is read from its own manifest (<c>generations/N.json</c>) and sees only its own shards.
    /// </summary>
    public int? Generation { get; init; }

    /// <summary>Gets the node-local cache for chunks of a remote dataset, or null to keep none (each chunk is fetched when read).</summary>
    public ChunkCacheOptions? Cache { get; init; }
}
