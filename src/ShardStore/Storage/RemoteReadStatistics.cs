namespace ShardStore.Storage;

/// <summary>A snapshot of how a dataset in an object store was read since it was opened (<see cref="ShardDataset.RemoteStatistics"/>).</summary>
/// <param name="Requests">Ranged reads sent to the store (after the store's own retries, one per read): the manifest, shard headers and tables at open, chunks or runs of adjacent chunks since.</param>
/// <param name="BytesFetched">Bytes those requests asked for.</param>
/// <param name="PrefetchHits">Chunks read from a prefetch the loader's plan started.</param>
/// <param name="WaitTime">Time readers waited for chunks (prefetched, cached or fetched), summed over threads.</param>
/// <param name="CacheWriteFailures">Verified chunks that could not be stored in the node-local cache (its lock timed out or a write failed); reading went on.</param>
/// <param name="Cache">The node-local cache's counters, or null when the dataset has none.</param>
public readonly record struct RemoteReadStatistics(
    long Requests,
    long BytesFetched,
    long PrefetchHits,
    TimeSpan WaitTime,
    long CacheWriteFailures,
    ChunkCacheStatistics? Cache);
