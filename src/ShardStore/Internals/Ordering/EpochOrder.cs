using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// The global sample order of one epoch: a pure function of (layout, order, seed, epoch, partitions, window, block).
/// </summary>
/// <remarks>
/// The chunks are split into <c>P</c> logical partitions of consecutive chunks. Each partition has its own
/// order (identity, a keyed permutation of its samples, or shuffled chunks with samples permuted inside each
/// window of <c>W</c> chunks). The epoch's global sequence takes blocks of <c>B</c> samples from the
/// partitions in turn (round robin, skipping partitions that ran out). Nothing here depends on the number of
/// ranks, which is what lets a run resume with another world size and keep the same global order; and when
/// the world size divides <c>P</c>, each rank reads only its own partitions.
/// </remarks>
internal sealed class EpochOrder : IEpochOrder
{
    private const ulong RandomTag = 0x52414E44;
    private const ulong WindowTag = 0x57494E44;
    private const ulong ChunkTag = 0x4348554E;

    private readonly ChunkIndex _layout;
    private readonly SampleOrder _order;
    private readonly ulong _epochKey;
    private readonly int _window;
    private readonly int _block;
    private readonly int[] _partChunkStart;
    private readonly long[] _partSampleStart;
    private readonly long[] _partSize;
    private readonly long _maxPartSize;

    // Window order: each partition's chunks in shuffled order, and the cumulative sample count along that schedule.
    private readonly int[]? _schedule;
    private readonly long[]? _scheduleStarts;
    private readonly int[]? _schedulePosition;

    // Random order: one permutation per partition. Window order: one per window, indexed by its first schedule slot / W.
    private readonly IndexPermutation[]? _partitionPermutations;
    private readonly IndexPermutation[]? _windowPermutations;
    private readonly int[]? _firstWindow;

    public EpochOrder(ChunkIndex layout, SampleOrder order, ulong seed, int epoch, int partitions, int windowChunks, int blockSize)
    {
        _layout = layout;
        _order = order;
        _epochKey = OrderHash.Mix(seed, (ulong)epoch, (ulong)order + 1);
        _window = windowChunks;
        _block = blockSize;
        Epoch = epoch;
        int chunks = layout.ChunkCount;
        _partChunkStart = new int[partitions + 1];
        _partSampleStart = new long[partitions + 1];
        _partSize = new long[partitions];
        for (int p = 0; p <= partitions; p++)
        {
            _partChunkStart[p] = (int)((long)p * chunks / partitions);
            _partSampleStart[p] = layout.ChunkStarts[_partChunkStart[p]];
        }

        for (int p = 0; p < partitions; p++)
        {
            _partSize[p] = _partSampleStart[p + 1] - _partSampleStart[p];
            _maxPartSize = Math.Max(_maxPartSize, _partSize[p]);
        }

        if (order is SampleOrder.Window or SampleOrder.Sequential)
        {
            _schedule = new int[chunks];
            _schedulePosition = new int[chunks];
            for (int c = 0; c < chunks; c++)
            {
                _schedule[c] = c;
            }

            if (order == SampleOrder.Window)
            {
                for (int p = 0; p < partitions; p++)
                {
                    Shuffle(_schedule.AsSpan(_partChunkStart[p], _partChunkStart[p + 1] - _partChunkStart[p]), OrderHash.Mix(_epochKey, ChunkTag, (ulong)p));
                }

                _scheduleStarts = new long[chunks + 1];
                for (int s = 0; s < chunks; s++)
                {
                    _scheduleStarts[s + 1] = _scheduleStarts[s] + layout.SamplesIn(_schedule[s]);
                }
            }

            for (int s = 0; s < chunks; s++)
            {
                _schedulePosition[_schedule[s]] = s;
            }
        }

        if (order == SampleOrder.Random)
        {
            _partitionPermutations = new IndexPermutation[partitions];
            for (int p = 0; p < partitions; p++)
            {
                _partitionPermutations[p] = new IndexPermutation(_partSize[p], OrderHash.Mix(_epochKey, RandomTag, (ulong)p));
            }
        }
        else if (order == SampleOrder.Window)
        {
            _firstWindow = new int[partitions + 1];
            var perms = new List<IndexPermutation>();
            for (int p = 0; p < partitions; p++)
            {
                _firstWindow[p] = perms.Count;
                for (int w = 0, first = _partChunkStart[p]; first < _partChunkStart[p + 1]; w++, first += windowChunks)
                {
                    int end = Math.Min(first + windowChunks, _partChunkStart[p + 1]);
                    perms.Add(new IndexPermutation(_scheduleStarts![end] - _scheduleStarts[first], OrderHash.Mix(_epochKey, WindowTag, (ulong)p, (ulong)w)));
                }
            }

            _firstWindow[partitions] = perms.Count;
            _windowPermutations = [.. perms];
        }
    }

    public int Epoch { get; }

    public long SampleCount => _layout.SampleCount;

    /// <summary>Returns whether the epoch's layout has <paramref name="chunk"/> (an epoch on an older generation lacks the newer chunks).</summary>
    public bool Contains(int chunk) => (uint)chunk < (uint)_layout.ChunkCount;

    /// <summary>
    /// Writes the global sample indices at epoch positions [<paramref name="position"/>, position + destination.Length),
    /// and, when <paramref name="chunks"/> is not empty (it is then as long), the chunk that holds each.
    /// </summary>
    public void Fill(long position, Span<long> destination, Span<int> chunks = default)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        int partitions = _partSize.Length;
        if (partitions == 1)
        {
            FillRun(0, position, destination, chunks);
            return;
        }

        // Find the round t whose blocks hold the position, then the partition within it.
        long lo = 0;
        long hi = (_maxPartSize + _block - 1) / _block;
        while (lo < hi)
        {
            long mid = (lo + hi + 1) / 2;
            if (SamplesBeforeRound(mid) <= position)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        long round = lo;
        long remaining = position - SamplesBeforeRound(round);
        int p = 0;
        long local = 0;
        for (; p < partitions; p++)
        {
            long size = BlockSize(p, round);
            if (remaining < size)
            {
                local = (round * _block) + remaining;
                break;
            }

            remaining -= size;
        }

        // Each block is a run of consecutive positions of one partition.
        for (int i = 0; ;)
        {
            int run = (int)Math.Min(destination.Length - i, Math.Min((round + 1) * _block, _partSize[p]) - local);
            FillRun(p, local, destination.Slice(i, run), chunks.IsEmpty ? default : chunks.Slice(i, run));
            i += run;
            if (i == destination.Length)
            {
                return;
            }

            do
            {
                if (++p == partitions)
                {
                    p = 0;
                    round++;
                }
            }
            while (BlockSize(p, round) == 0);

            local = round * _block;
        }
    }

    /// <summary>
    /// Returns the chunk's place in its partition's chunk schedule for this epoch (Sequential and Window orders),
    /// or -1. Partitions are read in turn, so equal places are reached at about the same time.
    /// </summary>
    public int SchedulePosition(int chunk)
    {
        if (_schedulePosition is not { } positions)
        {
            return -1;
        }

        return positions[chunk] - _partChunkStart[PartitionOf(chunk)];
    }

    /// <summary>Returns the chunks that come after <paramref name="chunk"/> in this epoch's chunk schedule (Sequential and Window orders).</summary>
    public ReadOnlySpan<int> ChunksAfter(int chunk, int count)
    {
        if (_schedule is null)
        {
            return [];
        }

        int s = _schedulePosition![chunk] + 1;
        return _schedule.AsSpan(Math.Min(s, _schedule.Length), Math.Clamp(_schedule.Length - s, 0, count));
    }

    /// <summary>
    /// Returns the first position of the epoch's global order that may read a sample of <paramref name="chunk"/>: the
    /// start of its window (Window order) or of the chunk itself (Sequential); -1 in Random order, where every chunk
    /// is read all the time.
    /// </summary>
    public long FirstUse(int chunk)
    {
        int p = PartitionOf(chunk);
        long local;
        switch (_order)
        {
            case SampleOrder.Sequential:
                local = _layout.ChunkStarts[chunk] - _partSampleStart[p];
                break;
            case SampleOrder.Window:
                int first = _partChunkStart[p];
                int window = (_schedulePosition![chunk] - first) / _window;
                local = _scheduleStarts![first + (window * _window)] - _scheduleStarts[first];
                break;
            default:
                return -1;
        }

        return GlobalPosition(p, local);
    }

    /// <summary>
    /// Returns the last position of the epoch's global order that reads a sample of <paramref name="chunk"/>:
    /// the end of its window (Window order), of the chunk itself (Sequential), or of the epoch (Random). Once
    /// every position up to it is planned, nothing more in this epoch needs the chunk.
    /// </summary>
    public long LastUse(int chunk)
    {
        int p = PartitionOf(chunk);
        long local;
        switch (_order)
        {
            case SampleOrder.Sequential:
                local = _layout.ChunkStarts[chunk + 1] - 1 - _partSampleStart[p];
                break;
            case SampleOrder.Window:
                int first = _partChunkStart[p];
                int window = (_schedulePosition![chunk] - first) / _window;
                int end = Math.Min(first + ((window + 1) * _window), _partChunkStart[p + 1]);
                local = _scheduleStarts![end] - _scheduleStarts[first] - 1;
                break;
            default:
                return _layout.SampleCount - 1;
        }

        return GlobalPosition(p, local);
    }

    // Partitions are never empty (there are at most as many as chunks), so their first chunks are distinct.
    private int PartitionOf(int chunk)
    {
        int p = Array.BinarySearch(_partChunkStart, chunk);
        return p >= 0 ? p : ~p - 1;
    }

    // The epoch position of partition-local position `local`: the rounds before it, the blocks of the
    // partitions before it in its round, and its place in its own block.
    private long GlobalPosition(int partition, long local)
    {
        long round = local / _block;
        long position = SamplesBeforeRound(round) + (local - (round * _block));
        for (int p = 0; p < partition; p++)
        {
            position += BlockSize(p, round);
        }

        return position;
    }

    private long BlockSize(int partition, long round) => Math.Clamp(_partSize[partition] - (round * _block), 0, _block);

    private long SamplesBeforeRound(long round)
    {
        long total = 0;
        foreach (long size in _partSize)
        {
            total += Math.Min(size, round * _block);
        }

        return total;
    }

    // The samples at partition-local positions [local, local + destination.Length) of one partition, and their chunks.
    private void FillRun(int partition, long local, Span<long> destination, Span<int> chunks)
    {
        switch (_order)
        {
            case SampleOrder.Sequential:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = _partSampleStart[partition] + local + i;
                }

                break;
            case SampleOrder.Random:
                IndexPermutation permutation = _partitionPermutations![partition];
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = _partSampleStart[partition] + permutation.Apply(local + i);
                }

                break;
            default:
                WindowFillRun(partition, local, destination, chunks);
                return;
        }

        long[] chunkStarts = _layout.ChunkStarts;
        int chunk = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            long sample = destination[i];
            if (sample < chunkStarts[chunk] || sample >= chunkStarts[chunk + 1])
            {
                chunk = _layout.ChunkOf(sample);
            }

            chunks[i] = chunk;
        }
    }

    // Window order: find each window the run crosses once, then permute inside it and find the permuted
    // sample's chunk among the window's W chunks.
    private void WindowFillRun(int partition, long local, Span<long> destination, Span<int> chunks)
    {
        long[] starts = _scheduleStarts!;
        int[] schedule = _schedule!;
        long[] chunkStarts = _layout.ChunkStarts;
        int first = _partChunkStart[partition];
        int last = _partChunkStart[partition + 1];
        long g = starts[first] + local;
        for (int i = 0; i < destination.Length;)
        {
            int s = ChunkIndex.Floor(starts, first, last, g);
            int windowIndex = (s - first) / _window;
            int windowStart = first + (windowIndex * _window);
            int windowEnd = Math.Min(windowStart + _window, last);
            long offset = starts[windowStart];
            IndexPermutation permutation = _windowPermutations![_firstWindow![partition] + windowIndex];
            int run = (int)Math.Min(destination.Length - i, starts[windowEnd] - g);
            Span<long> part = destination.Slice(i, run);
            Span<int> partChunks = chunks.IsEmpty ? default : chunks.Slice(i, run);
            for (int k = 0; k < part.Length; k++)
            {
                long permuted = offset + permutation.Apply(g - offset + k);
                int t = ChunkIndex.Floor(starts, windowStart, windowEnd, permuted);
                int chunk = schedule[t];
                part[k] = chunkStarts[chunk] + (permuted - starts[t]);
                if (!partChunks.IsEmpty)
                {
                    partChunks[k] = chunk;
                }
            }

            i += run;
            g += run;
        }
    }

    private static void Shuffle(Span<int> items, ulong key)
    {
        ulong state = key;
        for (int i = items.Length - 1; i > 0; i--)
        {
            state += 0x9E3779B97F4A7C15;
            ulong r = OrderHash.Mix(state, key);
            int j = (int)Math.BigMul(r, (ulong)(i + 1), out _);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
