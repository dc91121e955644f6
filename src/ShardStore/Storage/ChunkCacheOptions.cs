namespace ShardStore.Storage;

/// <summary>A node-local directory that keeps chunks of a remote dataset between reads, processes and restarts; see <see cref="ShardDatasetOptions.Cache"/>.</summary>
/// <remarks>
/// Every process of a machine may share one directory (the ranks of a job): its size limit holds for all of them
/// together, entries are written whole under a temporary name and renamed into place, and a lock file orders
/// reservations. A chunk read from the cache is checked against its CRC32C like one read from the store.
/// </remarks>
public sealed class ChunkCacheOptions
{
    /// <summary>Gets the cache directory; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>Gets the hard limit on the bytes of cached chunks in the directory, over every process that uses it.</summary>
    public required long LimitBytes { get; init; }

    /// <summary>
    /// Gets whether a <see cref="ShardLoader"/> over the dataset orders eviction by its plan: the chunk needed
    /// farthest in the future goes first, and a chunk needed later than everything it would displace is not stored.
    /// Default true; false, or Random order, or reads without a loader, evict the least recently used first.
    /// </summary>
    public bool EvictByPlan { get; init; } = true;
}
