using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// Which generation of the dataset each epoch of a loader's plan runs on. A loader resumed on a newer generation
/// from a state taken on an older one finishes the state's epoch on the older generation's samples (its layout is a
/// prefix of the newer one's, so the remaining batches are exactly those of the older plan) and runs every later
/// epoch on the whole dataset. Otherwise every epoch runs on the dataset as opened. Immutable.
/// </summary>
internal sealed class EpochLayouts
{
    private readonly ChunkIndex _whole;
    private readonly DatasetGeneration _current;
    private readonly int _firstEpoch;
    private readonly ChunkIndex _firstLayout;
    private readonly DatasetGeneration _firstGeneration;

    private EpochLayouts(ChunkIndex whole, DatasetGeneration current, int firstEpoch, DatasetGeneration firstGeneration, long firstRawBytes)
    {
        _whole = whole;
        _current = current;
        _firstEpoch = firstEpoch;
        _firstGeneration = firstGeneration;
        _firstLayout = whole.Prefix(firstGeneration.SampleCount, firstRawBytes);
    }

    /// <summary>Returns the layouts of a loader on <paramref name="dataset"/> that starts from <paramref name="state"/> (checked by the caller to be of this dataset).</summary>
    public static EpochLayouts Create(ShardDataset dataset, ChunkIndex whole, LoaderState? state)
    {
        DatasetGeneration current = dataset.Generations[^1];
        DatasetGeneration first = state is null ? current : Resolve(dataset, state) ?? current;
        // A generation is a prefix of whole shards, so its raw bytes are those of its first shards.
        long firstRawBytes = first == current ? whole.TotalRawBytes : dataset.Shards.Take(first.ShardCount).Sum(s => s.RawBytes);
        return new EpochLayouts(whole, current, state?.Epoch ?? 0, first, firstRawBytes);
    }

    /// <summary>Returns the generation whose fingerprint the state records, or null when it is none of the dataset's.</summary>
    public static DatasetGeneration? Resolve(ShardDataset dataset, LoaderState state) =>
        dataset.Generations.LastOrDefault(g => g.Fingerprint == state.DatasetFingerprint);

    /// <summary>Gets the number of samples of the first epoch's generation.</summary>
    public long FirstEpochSamples => _firstGeneration.SampleCount;

    /// <summary>Returns the layout <paramref name="epoch"/> runs on.</summary>
    public ChunkIndex For(int epoch) => epoch == _firstEpoch ? _firstLayout : _whole;

    /// <summary>Returns the generation <paramref name="epoch"/> runs on.</summary>
    public DatasetGeneration GenerationOf(int epoch) => epoch == _firstEpoch ? _firstGeneration : _current;
}
