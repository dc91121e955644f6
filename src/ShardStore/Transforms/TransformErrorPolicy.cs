namespace ShardStore.Transforms;

/// <summary>What a <see cref="ShardLoader"/> does when a transform rejects a sample with an <see cref="InvalidDataException"/>.</summary>
public enum TransformErrorPolicy
{
    /// <summary>The loader delivers every batch before the one holding the sample, then throws an <see cref="InvalidDataException"/> naming the sample, shard and chunk.</summary>
    Throw,

    /// <summary>
    /// The sample stays in its batch, at its place in the order, with every transform output zero-filled (fields passed
    /// through untransformed keep their values); <see cref="Batch.SkippedPositions"/> lists it and
    /// <see cref="ShardLoaderStatistics.SkippedSamples"/> counts it.
    /// </summary>
    Skip,
}
