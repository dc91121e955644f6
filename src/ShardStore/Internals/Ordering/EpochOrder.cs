using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// The global sample order of one epoch: a pure function of (layout, order, seed, epoch, partitions, window, block).
/// </summary>
/// <remarks>
/// The chunks are split into <c>P</c> logical partitions of consecutive chunks. Each partition has its own
/// order (identity, a keyed permutation of its samples, or shuffled chunks dealt in pieces into windows of about
/// <c>W</c> chunks' samples, see <see cref="WindowShape"/>, with samples permuted inside each window). The epoch's global sequence takes blocks of <c>B</c> samples from the
/// partitions in turn (round robin, skipping partitions that ran out). Nothing here depends on the number of
/// ranks, which is what lets a run resume with another world size and keep the same global order; and when
/// the world size divides <c>P</c>, each rank reads only its own partitions.
/// </remarks>
internal sealed partial class EpochOrder : IEpochOrder
{
    private const ulong RandomTag = 0x52414E44;
    private const ulong WindowTag = 0x57494E44;
    private const ulong ChunkTag = 0x4348554E;

    private readonly ChunkIndex _layout;
    private readonly SampleOrder _order;
    private readonly ulong _epochKey;
    private readonly WindowShape _shape;
    private readonly int _block;
    private readonly int[] _partChunkStart;
    private readonly long[] _partSampleStart;
    private readonly long[] _partSize;
    private readonly long _maxPartSize;

    // Sequential and Window order: each partition's chunks in schedule order (shuffled in Window order), and each chunk's place in it.
    private readonly int[]? _schedule;
    private readonly int[]? _schedulePosition;

    // Random order: one permutation per partition.
    private readonly IndexPermutation[]? _partitionPermutations;

    // Window order, per partition: where each window starts (partition-local positions, plus the end), and its permutation.
    private readonly long[][]? _windowStarts;
    private readonly IndexPermutation[][]? _windowPermutations;

    public EpochOrder(ChunkIndex layout, SampleOrder order, ulong seed, int epoch, int partitions, int windowChunks, int blockSize)
        : this(layout, order, seed, epoch, partitions, WindowShape.For(layout, windowChunks), blockSize)
    {
    }

    public EpochOrder(ChunkIndex layout, SampleOrder order, ulong seed, int epoch, int partitions, WindowShape window, int blockSize)
    {
        _layout = layout;
        _order = order;
        _epochKey = OrderHash.Mix(seed, (ulong)epoch, (ulong)order + 1);
        _shape = window;
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
            _windowStarts = new long[partitions][];
            _windowPermutations = new IndexPermutation[partitions][];
            for (int p = 0; p < partitions; p++)
            {
                int partChunks = _partChunkStart[p + 1] - _partChunkStart[p];
                int group = _shape.GroupChunks;
                int fullGroups = partChunks / group;
                int rest = partChunks - (fullGroups * group);
                int windows = (fullGroups * _shape.Spread) + ((rest + _shape.WindowChunks - 1) / _shape.WindowChunks);
                long[] starts = new long[windows + 1];
                var permutations = new IndexPermutation[windows];
                for (int w = 0; w < windows; w++)
                {
                    (int groupFirst, int groupLength, int k, int j) = WindowPlace(p, w);
                    long size = 0;
                    for (int slot = 0; slot < groupLength; slot++)
                    {
                        size += PieceRunSamples(layout.SamplesIn(_schedule![groupFirst + slot]), FirstPiece(j, slot, k), k);
                    }

                    starts[w + 1] = starts[w] + size;
                    permutations[w] = new IndexPermutation(size, OrderHash.Mix(_epochKey, WindowTag, (ulong)p, (ulong)w));
                }

                _windowStarts[p] = starts;
                _windowPermutations[p] = permutations;
            }
        }
    }

    /// <summary>Gets the shape of Window order's windows (meaningful in Window order only).</summary>
    public WindowShape Shape => _shape;

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
                local = _windowStarts![p][GroupFirstWindow(p, chunk)];
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
                int firstWindow = GroupFirstWindow(p, chunk);
                long[] starts = _windowStarts![p];
                local = starts[Math.Min(firstWindow + _shape.Spread, starts.Length - 1)] - 1;
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
