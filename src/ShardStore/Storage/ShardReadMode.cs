namespace ShardStore.Storage;

/// <summary>How a local dataset's chunks are read; see <see cref="ShardDatasetOptions.ReadMode"/>.</summary>
public enum ShardReadMode
{
    /// <summary>
    /// <see cref="Mapped"/> when the dataset's files fit in a quarter of the memory available to the process,
    /// <see cref="Direct"/> otherwise.
    /// </summary>
    Auto,

    /// <summary>
    /// Shards are memory-mapped and read through the page cache; the only mode that hands out uncompressed chunks
    /// zero-copy (<see cref="ChunkLease.IsZeroCopy"/>, <see cref="ShardLoaderOptions.ZeroCopy"/>).
    /// </summary>
    Mapped,

    /// <summary>
    /// Nothing is mapped: chunks are read with positioned reads into buffers the reader owns (with
    /// <see cref="ShardDatasetOptions.DirectIo"/>, bypassing the page cache and reading a loader's planned chunks ahead
    /// in requests of their own), so a dataset far larger than memory
    /// never pages through a mapping and a file changed underneath is an error, never a fault.
    /// </summary>
    Direct,
}
