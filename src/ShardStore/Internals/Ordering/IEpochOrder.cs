namespace ShardStore.Internals.Ordering;

/// <summary>
/// One epoch's global sample order as the pipeline plans over it: the order of one dataset (<see cref="EpochOrder"/>)
/// or of a mixture of several (<see cref="MixtureOrder"/>). Positions run over [0, <see cref="SampleCount"/>); samples
/// and chunks are indices into the loader's <see cref="Reading.ChunkIndex"/>. Thread-safe.
/// </summary>
internal interface IEpochOrder
{
    int Epoch { get; }

    /// <summary>Gets the number of positions in the epoch.</summary>
    long SampleCount { get; }

    /// <summary>Writes the samples at positions [position, position + destination.Length) and, when not empty, the chunk of each.</summary>
    void Fill(long position, Span<long> destination, Span<int> chunks = default);

    /// <summary>Returns whether the chunk is in the layout the epoch runs on (an older generation's may hold fewer).</summary>
    bool Contains(int chunk);

    /// <summary>Returns the chunk's place in its chunk schedule, for cache priority, or -1 when the order has none.</summary>
    int SchedulePosition(int chunk);

    /// <summary>Returns chunks that come after <paramref name="chunk"/> in the epoch, for read-ahead hints (may be empty).</summary>
    ReadOnlySpan<int> ChunksAfter(int chunk, int count);

    /// <summary>Returns the first position that may read a sample of the chunk, or -1 when any may.</summary>
    long FirstUse(int chunk);

    /// <summary>Returns the last position that reads a sample of the chunk (an underestimate only costs a second read).</summary>
    long LastUse(int chunk);
}
