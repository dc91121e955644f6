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
}
