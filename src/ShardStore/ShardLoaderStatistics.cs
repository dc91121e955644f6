namespace ShardStore;

/// <summary>A snapshot of a <see cref="ShardLoader"/>'s counters since it was created.</summary>
/// <param name="Batches">Batches handed to the consumer.</param>
/// <param name="Samples">Samples handed to the consumer.</param>
/// <param name="Bytes">Bytes of field data handed to the consumer.</param>
/// <param name="ConsumerWait">Time the consumer spent waiting for a batch that was not ready.</param>
/// <param name="DecodeTime">Time the workers spent reading, verifying and decoding chunks, summed over workers.</param>
/// <param name="ChunksLoaded">Chunk reads (more than the chunks in the epoch when the budget forced re-reads, and one per mapped batch).</param>
/// <param name="MemoryInUseBytes">Bytes of the memory budget in use now.</param>
/// <param name="PeakMemoryBytes">The most bytes of the budget ever in use at once.</param>
/// <param name="ZeroCopyBatches">Batches handed out with no copy, over the shard mapping (<see cref="ShardLoaderOptions.ZeroCopy"/>).</param>
public sealed record ShardLoaderStatistics(
    long Batches,
    long Samples,
    long Bytes,
    TimeSpan ConsumerWait,
    TimeSpan DecodeTime,
    long ChunksLoaded,
    long MemoryInUseBytes,
    long PeakMemoryBytes,
    long ZeroCopyBatches)
{
    /// <summary>Gets the samples handed to the consumer that a transform rejected and the loader skipped (<see cref="Transforms.TransformErrorPolicy.Skip"/>).</summary>
    public long SkippedSamples { get; init; }

    /// <summary>
    /// Gets the mean number of distinct chunks the samples of each handed-out batch come from: how widely the order
    /// mixes the dataset (a batch of data packed in class order holds about as many classes as chunks times classes per chunk).
    /// </summary>
    public double SourceChunksPerBatch { get; init; }
}
