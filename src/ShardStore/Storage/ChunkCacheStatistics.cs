namespace ShardStore.Storage;

/// <summary>A snapshot of the counters of a node-local chunk cache (<see cref="ChunkCacheOptions"/>), kept by one process since it opened the cache.</summary>
/// <param name="Hits">Chunks read from the cache.</param>
/// <param name="Misses">Chunks looked for and not found (or found with the wrong length, and deleted).</param>
/// <param name="BytesWritten">Bytes of chunks this process added to the cache.</param>
/// <param name="BytesEvicted">Bytes of chunks this process deleted to make room (its own or other processes' entries).</param>
/// <param name="EntriesEvicted">Chunks this process deleted to make room.</param>
/// <param name="DeclinedWrites">Chunks not stored: larger than the limit, or needed later than every chunk they would have displaced.</param>
/// <param name="LockWaitTime">Time spent waiting for the cache directory's lock, which orders the reservations of every process.</param>
/// <param name="BytesOnDisk">Bytes of entries and writes in progress in the directory, over every process, as of this process's last reservation.</param>
public readonly record struct ChunkCacheStatistics(
    long Hits,
    long Misses,
    long BytesWritten,
    long BytesEvicted,
    long EntriesEvicted,
    long DeclinedWrites,
    TimeSpan LockWaitTime,
    long BytesOnDisk);
