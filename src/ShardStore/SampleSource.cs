namespace ShardStore;

/// <summary>Where a sample of a batch came from: the stream of a <see cref="DatasetMixture"/> and the sample's index in that stream's dataset.</summary>
/// <param name="Stream">The stream's position in <see cref="DatasetMixture.Streams"/> (0 for a loader over one dataset).</param>
/// <param name="Index">The sample's index in the stream's dataset (for a split, in the split).</param>
public readonly record struct SampleSource(int Stream, long Index);
