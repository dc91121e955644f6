using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// What every epoch of a mixture's order shares: each stream's per-epoch count, its dataset's layout and place in the
/// concatenated index space, its own seed and partitions, and the interleave of the streams over the epoch (<see cref="MixtureInterleave"/>).
/// </summary>
internal sealed class MixtureLayout
{
    private const ulong StreamTag = 0x5354524D;

    public MixtureLayout(IReadOnlyList<ChunkIndex> streams, SplitMap?[] splits, long[] counts, long[] sampleBases, int[] chunkBases, ShardLoaderOptions options, MixtureGranularity granularity)
    {
        Streams = [.. streams];
        Splits = splits;
        Counts = counts;
        SampleBases = sampleBases;
        ChunkBases = chunkBases;
        Options = options;
        Unit = granularity == MixtureGranularity.Batch ? options.BatchSize : 1;
        Interleave = new MixtureInterleave([.. counts.Select(c => c / Unit)]);
        EpochSamples = counts.Sum();

        Seeds = [.. Enumerable.Range(0, counts.Length).Select(s => OrderHash.Mix(options.Seed, StreamTag, (ulong)s))];
        Partitions = [.. streams.Select(l => Math.Clamp(options.LogicalPartitions, 1, Math.Max(1, l.ChunkCount)))];
        // A stream's samples are spread over the whole epoch, so its groups' span of batches is stretched by the epoch
        // over its count: an automatic group gets the stream's share of the 256 MiB, keeping the mixture's slots
        // within what one dataset's take.
        Shapes = [.. streams.Select((l, s) => WindowShape.For(l, options.WindowChunks, options.WindowPieceSamples, options.WindowSpread, StreamGroupBytes(counts[s], EpochSamples)))];
    }

    /// <summary>The most raw bytes of an automatic Window group of a stream with <paramref name="count"/> of the epoch's <paramref name="epochSamples"/>: 256 MiB x count / epochSamples, at least 1.</summary>
    public static long StreamGroupBytes(long count, long epochSamples) =>
        epochSamples <= 0 ? WindowShape.MaxAutomaticGroupBytes : (long)Int128.Max(1, (Int128)WindowShape.MaxAutomaticGroupBytes * count / epochSamples);

    /// <summary>Gets the layout each stream's own order runs over: its dataset's, or its split's (<see cref="SplitMap.Layout"/>).</summary>
    public ChunkIndex[] Streams { get; }

    /// <summary>Gets each stream's split, or null where it reads its whole dataset.</summary>
    public SplitMap?[] Splits { get; }

    /// <summary>Gets how the streams' units are interleaved over an epoch.</summary>
    public MixtureInterleave Interleave { get; }

    /// <summary>Gets each stream's samples per epoch.</summary>
    public long[] Counts { get; }

    /// <summary>Gets each stream's first sample in the concatenated index space.</summary>
    public long[] SampleBases { get; }

    /// <summary>Gets each stream's first chunk in the concatenated chunk index.</summary>
    public int[] ChunkBases { get; }

    public ShardLoaderOptions Options { get; }

    /// <summary>Gets the samples per interleave unit: 1, or the batch size.</summary>
    public int Unit { get; }

    /// <summary>Gets each stream's seed: Mix(seed, "STRM", stream).</summary>
    public ulong[] Seeds { get; }

    /// <summary>Gets each stream's logical partitions: the loader's, at most the stream's chunks.</summary>
    public int[] Partitions { get; }

    public long EpochSamples { get; }

    public int StreamCount => Counts.Length;

    /// <summary>Builds stream <paramref name="stream"/>'s own order of pass <paramref name="pass"/> over its dataset.</summary>
    public EpochOrder PassOrder(int stream, int pass) =>
        new(Streams[stream], Options.Order, Seeds[stream], pass, Partitions[stream], Shapes[stream], Options.BatchSize);

    /// <summary>Gets each stream's Window order shape over its own layout.</summary>
    public WindowShape[] Shapes { get; }

    /// <summary>Gets the chunks of the largest Window group over the streams (what a window's reads may span).</summary>
    public int MaxGroupChunks => Shapes.Length == 0 ? 1 : Enumerable.Range(0, Shapes.Length).Max(GroupChunksOf);

    /// <summary>Gets the chunks a Window group of stream <paramref name="stream"/> holds at most: its shape's, or its partition's when fewer.</summary>
    public int GroupChunksOf(int stream)
    {
        long partitionChunks = (Streams[stream].ChunkCount + (long)Partitions[stream] - 1) / Partitions[stream];
        return (int)Math.Max(1, Math.Min(Shapes[stream].GroupChunks, partitionChunks));
    }

    /// <summary>
    /// Slots that guarantee a scatter loader progress (see ChunkScatter.SpanBatches): the largest over the streams of
    /// a window of the stream's largest chunks in each of its partitions plus a block of rounding per partition,
    /// stretched by the epoch's samples over the stream's, plus a unit of rounding per level of the interleave.
    /// </summary>
    public int SpanBatches(int worldSize)
    {
        long step = (long)worldSize * Options.BatchSize;
        long worst = 0;
        for (int s = 0; s < StreamCount; s++)
        {
            if (Counts[s] == 0)
            {
                continue;
            }

            long window = (Options.Order == SampleOrder.Window ? GroupChunksOf(s) : 1) * (long)Streams[s].MaxChunkSamples;
            Int128 span = (Int128)Partitions[s] * (window + Options.BatchSize) * EpochSamples / Counts[s];
            worst = (long)Int128.Min(long.MaxValue / 4, Int128.Max(worst, span + ((long)Unit * (1 + (int)Math.Ceiling(Math.Log2(StreamCount))))));
        }

        return (int)Math.Min(int.MaxValue / 2, ((worst + step - 1) / step) + 2);
    }

    /// <summary>Returns the stream of concatenated chunk <paramref name="chunk"/>.</summary>
    public int StreamOfChunk(int chunk)
    {
        int s = Array.BinarySearch(ChunkBases, chunk);
        if (s < 0)
        {
            return ~s - 1;
        }

        // Streams without chunks share their base with the next one; the chunk belongs to the last of them.
        while (s + 1 < ChunkBases.Length && ChunkBases[s + 1] == chunk)
        {
            s++;
        }

        return s;
    }

    /// <summary>Returns the stream and stream-local sample index of concatenated sample <paramref name="sample"/>.</summary>
    public SampleSource SourceOf(long sample)
    {
        int s = StreamOfSample(sample);
        long local = sample - SampleBases[s];
        return new SampleSource(s, Splits[s]?.SplitIndex(local) ?? local);
    }

    /// <summary>Returns the ledger key of concatenated sample <paramref name="sample"/>: <see cref="LoaderLedger.Key"/> of its stream and its index in the stream's dataset.</summary>
    public long LedgerKey(long sample)
    {
        int s = StreamOfSample(sample);
        return LoaderLedger.Key(s, sample - SampleBases[s]);
    }

    // The stream whose samples hold concatenated sample `sample`; streams without samples share their base with the next one.
    private int StreamOfSample(long sample)
    {
        int s = Array.BinarySearch(SampleBases, sample);
        s = s >= 0 ? s : ~s - 1;
        while (s + 1 < SampleBases.Length && SampleBases[s + 1] == sample)
        {
            s++;
        }

        return s;
    }

    /// <summary>Returns the stream of epoch unit <paramref name="unit"/> and the unit's place among that stream's units.</summary>
    public (int Stream, long Index) Locate(long unit) => Interleave.Locate(unit);

    /// <summary>Returns the epoch unit that holds stream <paramref name="stream"/>'s unit <paramref name="index"/>.</summary>
    public long UnitOf(int stream, long index) => Interleave.UnitOf(stream, index);
}
