namespace ShardStore;

/// <summary>The order in which a <see cref="ShardLoader"/> visits samples in an epoch.</summary>
public enum SampleOrder
{
    /// <summary>Samples in dataset order (per logical partition); the fastest, for evaluation or pre-shuffled data.</summary>
    Sequential,

    /// <summary>
    /// Quasi-random: the chunk order is shuffled and samples are shuffled inside each window of
    /// <see cref="ShardLoaderOptions.WindowChunks"/> chunks. Each chunk is decoded once per epoch, so it suits
    /// compressed data and data far larger than RAM; memory is the window's decoded chunks.
    /// </summary>
    Window,

    /// <summary>
    /// A full permutation of each logical partition. Every sample may come from any chunk, so it is meant for
    /// uncompressed data that fits in the page cache; on compressed data chunks are decoded many times per epoch.
    /// </summary>
    Random,
}
