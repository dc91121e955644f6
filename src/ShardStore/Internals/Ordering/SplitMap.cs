using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// A split's samples as a layout an order runs over: split-local positions 0..M-1 in dataset order, grouped into one
/// virtual chunk per real chunk that holds any of them. An <see cref="EpochOrder"/> over <see cref="Layout"/> gives
/// split-local indices and virtual chunks, which this maps back to dataset indices and real chunks, so a Window order
/// over a split reads whole real chunks in windows, like one over a dataset.
/// </summary>
internal sealed class SplitMap
{
    private readonly DatasetSplit _split;
    private readonly int[] _realChunk;
    private readonly int[] _virtualChunk;

    public SplitMap(DatasetSplit split, ChunkIndex dataset)
    {
        _split = split;
        _virtualChunk = new int[dataset.ChunkCount];
        var starts = new List<long> { 0 };
        var real = new List<int>();
        for (int c = 0; c < dataset.ChunkCount; c++)
        {
            long end = split.CountBefore(dataset.ChunkStarts[c + 1]);
            if (end == starts[^1])
            {
                _virtualChunk[c] = -1;
                continue;
            }

            _virtualChunk[c] = real.Count;
            real.Add(c);
            starts.Add(end);
        }

        _realChunk = [.. real];
        // Window order chooses its piece size from the mean raw sample size: the dataset's, for any split of it.
        long rawBytes = dataset.SampleCount == 0 ? 0 : (long)((Int128)dataset.TotalRawBytes * starts[^1] / dataset.SampleCount);
        Layout = new ChunkIndex([.. starts], rawBytes);
    }

    /// <summary>Gets the split's layout: its samples in dataset order, in virtual chunks.</summary>
    public ChunkIndex Layout { get; }

    /// <summary>Returns the real chunk (of the dataset) of a virtual chunk.</summary>
    public int RealChunk(int virtualChunk) => _realChunk[virtualChunk];

    /// <summary>Returns the virtual chunk of a real chunk, or -1 when the split has no sample in it.</summary>
    public int VirtualChunk(int realChunk) => _virtualChunk[realChunk];

    /// <summary>Returns the dataset index of split-local index <paramref name="splitIndex"/>.</summary>
    public long DatasetIndex(long splitIndex) => _split.GetDatasetIndex(splitIndex);

    /// <summary>Returns the split-local index of a dataset index in the split.</summary>
    public long SplitIndex(long datasetIndex) => _split.CountBefore(datasetIndex);
}
