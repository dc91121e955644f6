using Microsoft.Win32.SafeHandles;
using ShardStore.Compression;
using ShardStore.Internals.Publishing;

namespace ShardStore;

/// <summary>How <see cref="DatasetWriter"/> cuts, compresses and publishes a dataset.</summary>
public sealed class DatasetWriterOptions
{
    /// <summary>The largest accepted <see cref="ChunkTargetBytes"/>.</summary>
    public const int MaxChunkTargetBytes = 1 << 30;

    /// <summary>Gets the target raw size of a chunk; a chunk closes before it would exceed it, and a larger sample gets a chunk of its own. Default 4 MiB.</summary>
    public int ChunkTargetBytes { get; init; } = 4 << 20;

    /// <summary>Gets the target size of a shard file; a shard closes before it would exceed it unless it holds a single chunk. Default 1 GiB.</summary>
    public long ShardTargetBytes { get; init; } = 1L << 30;

    /// <summary>Gets the codec for chunks; a chunk that does not shrink is stored uncompressed. Default <see cref="CodecKind.None"/>.</summary>
    public CodecKind Codec { get; init; } = CodecKind.None;

    /// <summary>Gets the compression level, or null for the codec's default.</summary>
    public int? Level { get; init; }

    /// <summary>Gets the codec implementations; required unless <see cref="Codec"/> is <see cref="CodecKind.None"/> (use <c>NativeCodecs.Provider</c> from ShardStore.Codecs).</summary>
    public IChunkCodecProvider? Codecs { get; init; }

    /// <summary>Gets the number of chunks compressed at once. Default: the processor count.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Gets whether an existing non-empty target directory is replaced (only once the new dataset is complete).</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// Gets the dataset's identity (32 lower-case hex digits, not all zero), or null for a new random one (the default).
    /// Readers use it to tell two packs apart; set it only to reproduce a pack byte for byte, never to give two
    /// different packs the same identity.
    /// </summary>
    public string? Identity { get; init; }

    /// <summary>
    /// Gets the local directory where shards written for an <see cref="Storage.IDatasetPublisher"/> wait for their upload
    /// (in a new subdirectory, deleted at the end), or null for the system's temporary directory. It needs room for five
    /// shards of <see cref="ShardTargetBytes"/>.
    /// </summary>
    public string? UploadStagingDirectory { get; init; }

    /// <summary>Gets user metadata stored in the manifest.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Gets how a shard file is flushed to disk, or null for <see cref="FileSystem"/>'s flush; tests replace it to see flushes fail.</summary>
    internal Action<SafeFileHandle>? FlushToDisk { get; init; }

    /// <summary>Gets the file system calls the writer makes; tests replace it to inject failures.</summary>
    internal IWriterFileSystem FileSystem { get; init; } = PhysicalWriterFileSystem.Instance;

    /// <summary>Gets how many bytes are appended to a shard between the starts of two background flushes; tests lower it.</summary>
    internal long FlushIntervalBytes { get; init; } = 64L << 20;
}
