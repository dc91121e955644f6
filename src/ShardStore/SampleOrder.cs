namespace ShardStore;

/// <summary>The order in which a <see cref="ShardLoader"/> visits samples in an epoch.</summary>
public enum SampleOrder
{
    /// <summary>Samples in dataset order (per logical partition); the fastest, for evaluation or pre-shuffled data.</summary>
    Sequential,

    /// <summary>
    /// Quasi-random: the chunk order is shuffled, the chunks are read in groups of up to 16 x
    /// <see cref="ShardLoaderOptions.WindowChunks"/> (at most 256 MiB of samples when chosen automatically), each cut
    /// into pieces of <see cref="ShardLoaderOptions.WindowPieceSamples"/> samples dealt round the group's windows, and
    /// samples are shuffled inside each window (about <see cref="ShardLoaderOptions.WindowChunks"/> chunks' worth), so
    /// every window draws from every chunk of its group; with <see cref="ShardLoaderOptions.WindowPieceSamples"/> null,
    /// windows of whole chunks. Each chunk is decoded once per epoch when the memory budget holds a group, so it suits
    /// compressed data and data far larger than RAM.
    /// </summary>
    Window,

    /// <summary>
    /// A full permutation of each logical partition. Every sample may come from any chunk, so it is meant for
    /// uncompressed data that fits in the page cache; on compressed data chunks are decoded many times per epoch.
    /// </summary>
    Random,
}
