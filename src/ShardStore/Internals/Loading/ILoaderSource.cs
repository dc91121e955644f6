using ShardStore.Format;
using ShardStore.Internals.Caching;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Sources;
using ShardStore.Storage;

namespace ShardStore.Internals.Loading;

/// <summary>
/// What the loader's pipeline reads chunks through: one dataset (<see cref="ShardDataset"/>) or several concatenated
/// into one index space (<see cref="ConcatenatedSource"/>). Shards are numbered over the whole source and samples
/// are indices into its concatenated sample space; the pipeline never sees which dataset a shard belongs to.
/// </summary>
internal interface ILoaderSource
{
    /// <summary>Gets the fields every sample has.</summary>
    Schema Schema { get; }

    /// <summary>Gets the number of samples.</summary>
    long SampleCount { get; }

    /// <summary>Gets the number of chunks.</summary>
    long ChunkCount { get; }

    /// <summary>Gets the shards in sample order, with <see cref="ShardInfo.FirstSample"/> in this source's sample space.</summary>
    IReadOnlyList<ShardInfo> Shards { get; }

    /// <summary>Gets the location messages name (a directory, a URI, or a list of them).</summary>
    string Directory { get; }

    /// <summary>Gets how chunks are read.</summary>
    ShardReadMode ReadMode { get; }

    /// <summary>Gets whether any shard lives in an object store.</summary>
    bool IsRemote { get; }

    /// <summary>Gets how many stored bytes a loader's read-ahead may ask for beyond the chunk it reads.</summary>
    long ReadAheadBytes { get; }

    /// <summary>Gets whether partial reads of an uncompressed chunk's samples are cheap.</summary>
    bool ReadsRangesCheaply { get; }

    /// <summary>Gets whether a node-local cache orders its eviction by a loader's plan.</summary>
    bool CacheEvictsByPlan { get; }

    int GetChunkCount(int shard);

    ChunkEntry GetEntry(int shard, int chunk);

    string GetShardPath(int shard);

    bool MustVerify(int shard, int chunk);

    OpenShard AcquireFile(int shard);

    void AdviseChunk(int shard, int chunk, MemoryAdvice advice);

    void Prefetch(IEnumerable<(int Shard, int Chunk)> chunks);

    void DropPrefetches();

    void SetNextUse(INextUseOracle? oracle, INextUseOracle? replacing);

    FieldSection[] CopyChunk(int shard, int chunk, Span<byte> destination, Span<byte> storedScratch);

    void CopyChunkRange(OpenShard open, int shard, int chunk, long offsetInChunk, Span<byte> destination);

    ChunkLease ReadChunk(int shard, int chunk);
}
