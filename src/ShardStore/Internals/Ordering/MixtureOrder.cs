using System.Buffers;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// One epoch of a mixture's global order. Stream s takes positions [e x C_s, (e + 1) x C_s) of its endless sequence
/// (pass 0 of its dataset, then pass 1, ...; pass k is the single-dataset <see cref="EpochOrder"/> of epoch k with the
/// stream's seed), and <see cref="MixtureLayout"/> interleaves the streams. A down-sampled stream thus continues where
/// the last epoch stopped, and an up-sampled one goes through its data more than once per epoch. Thread-safe: every
/// pass an epoch touches is built in the constructor.
/// </summary>
internal sealed class MixtureOrder : IEpochOrder
{
    private readonly MixtureLayout _layout;

    // Per stream: the first pass this epoch touches, and its orders from that pass on.
    private readonly long[] _firstPass;
    private readonly EpochOrder[][] _passes;

    public MixtureOrder(MixtureLayout layout, int epoch)
    {
        _layout = layout;
        Epoch = epoch;
        int streams = layout.StreamCount;
        _firstPass = new long[streams];
        _passes = new EpochOrder[streams][];
        for (int s = 0; s < streams; s++)
        {
            long count = layout.Counts[s];
            long size = layout.Streams[s].SampleCount;
            if (count == 0 || size == 0)
            {
                _passes[s] = [];
                continue;
            }

            long first = (long)((Int128)epoch * count / size);
            long last = (long)((((Int128)epoch + 1) * count - 1) / size);
            _firstPass[s] = first;
            _passes[s] = new EpochOrder[last - first + 1];
            for (long k = first; k <= last; k++)
            {
                _passes[s][k - first] = layout.PassOrder(s, checked((int)k));
            }
        }
    }

    public int Epoch { get; }

    public long SampleCount => _layout.EpochSamples;

    public void Fill(long position, Span<long> destination, Span<int> chunks = default)
    {
        int n = destination.Length;
        if (n == 0)
        {
            return;
        }

        int streams = _layout.StreamCount;
        int unit = _layout.Unit;
        int[] labels = ArrayPool<int>.Shared.Rent(n);
        long[] local = ArrayPool<long>.Shared.Rent(n);
        int[] localChunks = ArrayPool<int>.Shared.Rent(chunks.IsEmpty ? 0 : n);
        Span<long> firstIndex = streams <= 64 ? stackalloc long[streams] : new long[streams];
        Span<int> counts = streams <= 64 ? stackalloc int[streams] : new int[streams];
        Span<int> cursor = streams <= 64 ? stackalloc int[streams] : new int[streams];
        counts.Clear();
        try
        {
            // Each stream's samples in a run of positions are consecutive in the stream, so only the first is located.
            if (unit == 1)
            {
                _layout.Interleave.Label(position, labels.AsSpan(0, n), firstIndex);
                for (int i = 0; i < n; i++)
                {
                    counts[labels[i]]++;
                }
            }
            else
            {
                long block = -1;
                int stream = 0;
                long blockIndex = 0;
                for (int i = 0; i < n; i++)
                {
                    long p = position + i;
                    if (p / unit != block)
                    {
                        block = p / unit;
                        (stream, blockIndex) = _layout.Locate(block);
                    }

                    labels[i] = stream;
                    if (counts[stream]++ == 0)
                    {
                        firstIndex[stream] = (blockIndex * unit) + (p - (block * unit));
                    }
                }
            }

            for (int s = 0, at = 0; s < streams; s++)
            {
                cursor[s] = at;
                if (counts[s] > 0)
                {
                    FillStream(s, firstIndex[s], local.AsSpan(at, counts[s]), chunks.IsEmpty ? default : localChunks.AsSpan(at, counts[s]));
                }

                at += counts[s];
            }

            for (int i = 0; i < n; i++)
            {
                int at = cursor[labels[i]]++;
                destination[i] = local[at];
                if (!chunks.IsEmpty)
                {
                    chunks[i] = localChunks[at];
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(labels);
            ArrayPool<long>.Shared.Return(local);
            ArrayPool<int>.Shared.Return(localChunks);
        }
    }

    // Mixture order keeps no single chunk schedule; the chunk cache falls back to recency.
    public bool Contains(int chunk) => true;

    public int SchedulePosition(int chunk) => -1;

    public ReadOnlySpan<int> ChunksAfter(int chunk, int count)
    {
        int s = _layout.StreamOfChunk(chunk);
        if (_passes[s].Length == 0)
        {
            return [];
        }

        int baseChunk = _layout.ChunkBases[s];
        SplitMap? split = _layout.Splits[s];
        int localChunk = split?.VirtualChunk(chunk - baseChunk) ?? chunk - baseChunk;
        if (localChunk < 0)
        {
            return [];
        }

        ReadOnlySpan<int> next = _passes[s][0].ChunksAfter(localChunk, count);
        int[] mapped = new int[next.Length];
        for (int i = 0; i < next.Length; i++)
        {
            mapped[i] = (split?.RealChunk(next[i]) ?? next[i]) + baseChunk;
        }

        return mapped;
    }

    public long FirstUse(int chunk) => Use(chunk, last: false);

    public long LastUse(int chunk) => Use(chunk, last: true);

    // The first or last epoch position whose sample may come from the chunk: over the passes this epoch touches, the
    // pass's own first or last use of the chunk, clipped to the epoch's slice of the stream; -1 when any position may
    // (Random order) or, for the last use, none does.
    private long Use(int chunk, bool last)
    {
        int s = _layout.StreamOfChunk(chunk);
        int localChunk = chunk - _layout.ChunkBases[s];
        if (_layout.Splits[s] is { } split && (localChunk = split.VirtualChunk(localChunk)) < 0)
        {
            return last ? -1 : _layout.EpochSamples;
        }

        long size = _layout.Streams[s].SampleCount;
        long count = _layout.Counts[s];
        Int128 sliceStart = (Int128)Epoch * count;
        Int128 sliceEnd = sliceStart + count;
        Int128 best = -1;
        for (int k = 0; k < _passes[s].Length; k++)
        {
            EpochOrder pass = _passes[s][k];
            long first = pass.FirstUse(localChunk);
            if (first < 0)
            {
                return last ? _layout.EpochSamples - 1 : -1;
            }

            Int128 passStart = (Int128)(_firstPass[s] + k) * size;
            Int128 from = Int128.Max(passStart + first, sliceStart);
            Int128 to = Int128.Min(passStart + pass.LastUse(localChunk), sliceEnd - 1);
            if (from > to)
            {
                continue;
            }

            if (!last)
            {
                return PositionOf(s, (long)(from - sliceStart));
            }

            best = to - sliceStart;
        }

        return best < 0 ? (last ? -1 : _layout.EpochSamples) : PositionOf(s, (long)best);
    }

    // The epoch position of stream s's j-th sample this epoch.
    private long PositionOf(int s, long j)
    {
        int unit = _layout.Unit;
        return (_layout.UnitOf(s, j / unit) * unit) + (j % unit);
    }

    // Stream s's samples j0, j0 + 1, ... of this epoch, as concatenated sample and chunk indices.
    private void FillStream(int s, long j0, Span<long> destination, Span<int> chunks)
    {
        long size = _layout.Streams[s].SampleCount;
        SplitMap? split = _layout.Splits[s];
        int[]? splitChunks = split is not null && chunks.IsEmpty ? ArrayPool<int>.Shared.Rent(destination.Length) : null;
        Span<int> local = splitChunks is null ? chunks : splitChunks.AsSpan(0, destination.Length);
        Int128 u = ((Int128)Epoch * _layout.Counts[s]) + j0;
        long pass = (long)(u / size);
        long offset = (long)(u % size);
        for (int i = 0; i < destination.Length;)
        {
            int run = (int)Math.Min(destination.Length - i, size - offset);
            _passes[s][pass - _firstPass[s]].Fill(offset, destination.Slice(i, run), local.IsEmpty ? default : local.Slice(i, run));
            i += run;
            pass++;
            offset = 0;
        }

        // A split's order gives split-local indices and virtual chunks: map them to the dataset's.
        if (split is not null)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = split.DatasetIndex(destination[i]);
                local[i] = split.RealChunk(local[i]);
            }

            if (splitChunks is not null)
            {
                ArrayPool<int>.Shared.Return(splitChunks);
            }
        }

        long sampleBase = _layout.SampleBases[s];
        int chunkBase = _layout.ChunkBases[s];
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] += sampleBase;
        }

        for (int i = 0; i < chunks.Length; i++)
        {
            chunks[i] += chunkBase;
        }
    }
}
