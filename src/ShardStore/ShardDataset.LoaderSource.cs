using ShardStore.Format;
using ShardStore.Internals.Caching;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Sources;

namespace ShardStore;

/// <summary>The dataset as the loader's chunk source: the internal members the pipeline reads through.</summary>
public sealed partial class ShardDataset : ILoaderSource
{
    long ILoaderSource.ReadAheadBytes => ReadAheadBytes;

    bool ILoaderSource.ReadsRangesCheaply => ReadsRangesCheaply;

    bool ILoaderSource.CacheEvictsByPlan => CacheEvictsByPlan;

    ChunkEntry ILoaderSource.GetEntry(int shard, int chunk) => GetEntry(shard, chunk);

    string ILoaderSource.GetShardPath(int shard) => GetShardPath(shard);

    bool ILoaderSource.MustVerify(int shard, int chunk) => MustVerify(shard, chunk);

    OpenShard ILoaderSource.AcquireFile(int shard) => AcquireFile(shard);

    void ILoaderSource.AdviseChunk(int shard, int chunk, MemoryAdvice advice) => AdviseChunk(shard, chunk, advice);

    void ILoaderSource.Prefetch(IEnumerable<(int Shard, int Chunk)> chunks) => Prefetch(chunks);

    void ILoaderSource.DropPrefetches() => DropPrefetches();

    void ILoaderSource.SetNextUse(INextUseOracle? oracle, INextUseOracle? replacing) => SetNextUse(oracle, replacing);

    FieldSection[] ILoaderSource.CopyChunk(int shard, int chunk, Span<byte> destination, Span<byte> storedScratch) => CopyChunk(shard, chunk, destination, storedScratch);

    void ILoaderSource.CopyChunkRange(OpenShard open, int shard, int chunk, long offsetInChunk, Span<byte> destination) => CopyChunkRange(open, shard, chunk, offsetInChunk, destination);
}
