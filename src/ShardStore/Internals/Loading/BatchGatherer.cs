using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;
using ShardStore.Internals.Sources;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Fills a batch slot: the samples' global indices from the epoch order, then, chunk by chunk, each field's
/// values copied into the slot's contiguous buffers. One per worker (it owns scratch arrays).
/// </summary>
/// <remarks>
/// Every byte copied into a slot comes from memory the loader owns or straight from the file by positioned
/// reads, never through the shard mapping: a chunk in the cache is a checked copy; an uncompressed chunk that
/// was already verified (and whose layout the cache remembers) is read in parts straight into the slot, one
/// read per run of consecutive samples and field, so Sequential order copies each byte once. Variable-field
/// offsets are read once, checked, and remembered; the second pass copies by those remembered sizes only.
/// </remarks>
internal sealed unsafe class BatchGatherer
{
    private const int IndexBits = 24;
    private const int PrefetchBytes = 512;
    private const int MaxHeldChunks = 1024;
    // One per worker thread; nothing here is shared, so nothing is locked (the chunk cache locks itself).
    private readonly ILoaderSource _dataset;
    private readonly Schema _schema;
    private readonly ChunkIndex _layout;
    private readonly LoaderChunkCache _cache;
    private readonly LoaderChunkReader _reader;
    private readonly long[] _keys;
    private readonly long[]?[] _firsts;
    private readonly long[]?[] _elements;
    private readonly long[] _offsets;
    private readonly bool _hasVariable;
    private readonly int[] _groupStarts;
    private readonly int[] _deferred;
    private readonly byte[] _stored;
    private readonly bool _holdReady;
    private readonly Dictionary<int, LoaderChunkCache.CachedChunk> _held = [];
    private IEpochOrder? _order;
    private long _uses;

    // holdReady: keep cached chunks pinned between batches (Random order, where every batch reads most chunks), which
    // spares two trips through the cache's lock per chunk and batch; they are let go before this worker blocks or
    // loads, and whenever the cache is under pressure, so a pinned chunk never stands in another worker's way for long.
    public BatchGatherer(ILoaderSource dataset, ChunkIndex layout, LoaderChunkCache cache, LoaderChunkReader reader, int batchSize, bool holdReady)
    {
        _holdReady = holdReady;
        _dataset = dataset;
        _schema = dataset.Schema;
        _layout = layout;
        _cache = cache;
        _reader = reader;
        _keys = new long[batchSize];
        _firsts = [.. _schema.Fields.Select(f => f.IsVariable ? new long[batchSize] : null)];
        _elements = [.. _schema.Fields.Select(f => f.IsVariable ? new long[batchSize] : null)];
        _offsets = new long[batchSize + 1];
        _hasVariable = _schema.Fields.Any(f => f.IsVariable);
        _groupStarts = new int[batchSize + 1];
        _deferred = new int[batchSize];
        _stored = GC.AllocateUninitializedArray<byte>((int)layout.MaxCompressedChunkBytes);
    }

    /// <summary>The largest batch size the key encoding supports.</summary>
    public const int MaxBatchSize = 1 << IndexBits;

    /// <summary>Gets the bytes of the scratch buffer for compressed chunks' stored bytes (counted in the loader's budget).</summary>
    public static long ScratchBytes(ChunkIndex layout) => layout.MaxCompressedChunkBytes;

    /// <summary>Unpins the chunks this worker kept pinned between batches; call before blocking.</summary>
    public void ReleaseHeld()
    {
        foreach (LoaderChunkCache.CachedChunk entry in _held.Values)
        {
            _cache.Release(entry);
        }

        _held.Clear();
    }

    /// <summary>Gathers the batch's samples into <paramref name="slot"/>; returns the bytes written.</summary>
    public long Assemble(IEpochOrder order, long start, int count, BatchSlot slot, CancellationToken cancellationToken)
    {
        _order = order;
        Span<long> samples = slot.SampleIndices.AsSpan(0, count);
        order.Fill(start, samples);
        int groups = GroupByChunk(samples);
        long bytes = 0;
        for (int f = 0; f < _schema.Count; f++)
        {
            slot.Lengths[f] = _schema[f].IsVariable ? 0 : (long)count * _schema[f].BytesPerSample;
            bytes += slot.Lengths[f];
        }

        // Pass 1: fixed fields, and where each sample's variable values lie (read once, checked, remembered).
        ForEachGroup(groups, samples, slot, variablePass: false, cancellationToken);
        if (_hasVariable)
        {
            for (int f = 0; f < _schema.Count; f++)
            {
                if (_schema[f].IsVariable)
                {
                    bytes += PrepareVariable(f, count, slot);
                }
            }

            // Pass 2: variable values, now that every sample's place is known.
            ForEachGroup(groups, samples, slot, variablePass: true, cancellationToken);
        }

        return bytes;
    }

    // Sorts (chunk, batch position) keys so each chunk is visited once; returns the number of keys.
    private int GroupByChunk(Span<long> samples)
    {
        int chunk = -1;
        long chunkStart = 0;
        long chunkEnd = 0;
        bool sorted = true;
        for (int i = 0; i < samples.Length; i++)
        {
            long s = samples[i];
            if (s < chunkStart || s >= chunkEnd)
            {
                int next = _layout.ChunkOf(s);
                sorted &= next >= chunk;
                chunk = next;
                chunkStart = _layout.ChunkStarts[chunk];
                chunkEnd = _layout.ChunkStarts[chunk + 1];
            }

            _keys[i] = ((long)chunk << IndexBits) | (uint)i;
        }

        if (!sorted)
        {
            Array.Sort(_keys, 0, samples.Length);
        }

        return samples.Length;
    }

    private void ForEachGroup(int keys, ReadOnlySpan<long> samples, BatchSlot slot, bool variablePass, CancellationToken cancellationToken)
    {
        int groups = 0;
        for (int k = 0; k < keys; k++)
        {
            if (k == 0 || (_keys[k] >> IndexBits) != (_keys[k - 1] >> IndexBits))
            {
                _groupStarts[groups++] = k;
            }
        }

        _groupStarts[groups] = keys;
        slot.SourceChunks = groups;

        // First take the chunks that are ready or that no other worker is reading (reading those here), and
        // leave the ones another worker is reading for last, so two workers never queue behind one decode.
        int deferred = 0;
        for (int g = 0; g < groups; g++)
        {
            if (!TryGatherGroup(g, samples, slot, variablePass, wait: false, cancellationToken))
            {
                _deferred[deferred++] = g;
            }
        }

        for (int d = 0; d < deferred; d++)
        {
            TryGatherGroup(_deferred[d], samples, slot, variablePass, wait: true, cancellationToken);
        }
    }

    private bool TryGatherGroup(int group, ReadOnlySpan<long> samples, BatchSlot slot, bool variablePass, bool wait, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int from = _groupStarts[group];
        int to = _groupStarts[group + 1];
        int chunk = (int)(_keys[from] >> IndexBits);
        if (_held.TryGetValue(chunk, out LoaderChunkCache.CachedChunk? held))
        {
            Gather(new ChunkSource(this, chunk, held.Sections, held.Raw, null), samples, from, to, slot, variablePass);
            return true;
        }

        if (_held.Count > 0 && _cache.UnderPressure)
        {
            ReleaseHeld();
        }

        long priority = Priority(chunk);
        LoaderChunkCache.CachedChunk? entry = _cache.TryAcquireReady(chunk, priority);
        if (entry is null && DirectSections(chunk) is { } known)
        {
            var direct = new ChunkSource(this, chunk, known, default, _reader.AcquireFile(chunk));
            try
            {
                Gather(direct, samples, from, to, slot, variablePass);
            }
            finally
            {
                direct.File!.Release();
            }

            return true;
        }

        if (entry is null)
        {
            // This may wait for another worker's read or for room in the budget: pin nothing meanwhile.
            ReleaseHeld();
            entry = _cache.Acquire(chunk, priority, wait, _stored, cancellationToken);
            if (entry is null)
            {
                return false;
            }
        }

        bool keep = false;
        try
        {
            Gather(new ChunkSource(this, chunk, entry.Sections, entry.Raw, null), samples, from, to, slot, variablePass);
            keep = _holdReady && _held.Count < MaxHeldChunks && !_cache.UnderPressure;
        }
        finally
        {
            if (keep)
            {
                _held.Add(chunk, entry);
            }
            else
            {
                _cache.Release(entry);
            }
        }

        return true;
    }

    // The layout of a chunk that can be read in parts from the file: stored uncompressed, verified as the checksum
    // policy asks, and read whole once by this loader (so the layout is known); null otherwise.
    private FieldSection[]? DirectSections(int chunk)
    {
        int shard = _layout.ChunkShard[chunk];
        int inShard = _layout.ChunkInShard[chunk];
        return _dataset.ReadsRangesCheaply
            && _cache.KnownSections(chunk) is { } sections
            && _dataset.GetEntry(shard, inShard).Codec == CodecKind.None
            && !_dataset.MustVerify(shard, inShard)
                ? sections
                : null;
    }

    private void Gather(in ChunkSource source, ReadOnlySpan<long> samples, int from, int to, BatchSlot slot, bool variablePass)
    {
        long chunkStart = _layout.ChunkStarts[source.Chunk];
        for (int f = 0; f < _schema.Count; f++)
        {
            FieldSpec spec = _schema[f];
            if (spec.IsVariable)
            {
                if (variablePass)
                {
                    CopyVariable(source, f, spec, samples, chunkStart, from, to, slot);
                }
                else
                {
                    LocateVariable(source, f, spec, samples, chunkStart, from, to);
                }
            }
            else if (!variablePass)
            {
                GatherFixed(source, f, spec.BytesPerSample, samples, chunkStart, from, to, slot);
            }
        }
    }

    // Sequential and Window: the chunk's place in the epoch's schedule, so finished windows are evicted first.
    // Random: the order of use (least recently used goes first).
    private long Priority(int chunk) =>
        _order!.SchedulePosition(chunk) is int s and >= 0 ? ((long)_order.Epoch * _layout.ChunkCount) + s : ++_uses;

    // The number of keys from k on whose samples are consecutive both in the chunk and in the batch.
    private int RunAt(int k, int to, ReadOnlySpan<long> samples)
    {
        int position = (int)(_keys[k] & (MaxBatchSize - 1));
        int run = 1;
        while (k + run < to)
        {
            int nextPosition = (int)(_keys[k + run] & (MaxBatchSize - 1));
            if (nextPosition != position + run || samples[nextPosition] != samples[position] + run)
            {
                break;
            }

            run++;
        }

        return run;
    }

    // Copies runs of samples that are consecutive both in the chunk and in the batch with one copy (or read) each.
    private void GatherFixed(in ChunkSource source, int field, int width, ReadOnlySpan<long> samples, long chunkStart, int from, int to, BatchSlot slot)
    {
        if (width == 0)
        {
            return;
        }

        FieldSection section = source.Sections[field];
        ReadOnlySpan<byte> values = source.IsDirect ? default : source.Raw.Slice(section.DataOffset, section.DataLength);
        byte* destination = slot.Data(field);
        int k = from;
        while (k < to)
        {
            int position = (int)(_keys[k] & (MaxBatchSize - 1));
            long inChunk = samples[position] - chunkStart;
            int run = RunAt(k, to, samples);
            var target = new Span<byte>(destination + ((long)position * width), run * width);
            if (source.IsDirect)
            {
                source.Read(section.DataOffset + (inChunk * width), target);
            }
            else
            {
                if (k + run < to)
                {
                    // Shuffled orders jump around the chunk: start fetching the next sample while this one is copied.
                    long next = samples[(int)(_keys[k + run] & (MaxBatchSize - 1))] - chunkStart;
                    Prefetch(values.Slice((int)(next * width), Math.Min(width, PrefetchBytes)));
                }

                values.Slice((int)(inChunk * width), run * width).CopyTo(target);
            }

            k += run;
        }
    }

    private static void Prefetch(ReadOnlySpan<byte> bytes)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        fixed (byte* p = bytes)
        {
            for (int offset = 0; offset < bytes.Length; offset += 64)
            {
                Sse.Prefetch0(p + offset);
            }
        }
    }

    // Pass 1 of a variable field: reads each run's offsets once (from the owned copy, or from the file), checks
    // that they never decrease and stay within the chunk's values, and remembers each sample's first element and count.
    private void LocateVariable(in ChunkSource source, int field, FieldSpec spec, ReadOnlySpan<long> samples, long chunkStart, int from, int to)
    {
        FieldSection section = source.Sections[field];
        long valueCount = section.DataLength / spec.ItemSize;
        int samplesInChunk = _layout.SamplesIn(source.Chunk);
        ReadOnlySpan<long> chunkOffsets = source.IsDirect
            ? default
            : MemoryMarshal.Cast<byte, long>(source.Raw.Slice(section.OffsetsOffset, (samplesInChunk + 1) * sizeof(long)));
        long[] firsts = _firsts[field]!;
        long[] elements = _elements[field]!;
        int k = from;
        while (k < to)
        {
            int position = (int)(_keys[k] & (MaxBatchSize - 1));
            int inChunk = (int)(samples[position] - chunkStart);
            int run = RunAt(k, to, samples);
            ReadOnlySpan<long> offsets;
            if (source.IsDirect)
            {
                Span<long> read = _offsets.AsSpan(0, run + 1);
                source.Read(section.OffsetsOffset + ((long)inChunk * sizeof(long)), MemoryMarshal.AsBytes(read));
                offsets = read;
            }
            else
            {
                offsets = chunkOffsets.Slice(inChunk, run + 1);
            }

            for (int i = 0; i < run; i++)
            {
                long first = offsets[i];
                long end = offsets[i + 1];
                if (first < 0 || end < first || end > valueCount)
                {
                    throw source.Error($"offsets of field '{spec.Name}' for sample {inChunk + i} of the chunk ({first}..{end}) do not lie within its {valueCount} values");
                }

                firsts[position + i] = first;
                elements[position + i] = end - first;
            }

            k += run;
        }
    }

    // Pass 2 of a variable field: copies each sample's values by the first element and count pass 1 remembered,
    // checked against this source's values and against the slot's room, which pass 1's sizes made.
    private void CopyVariable(in ChunkSource source, int field, FieldSpec spec, ReadOnlySpan<long> samples, long chunkStart, int from, int to, BatchSlot slot)
    {
        FieldSection section = source.Sections[field];
        int item = spec.ItemSize;
        long valueCount = section.DataLength / item;
        ReadOnlySpan<byte> values = source.IsDirect ? default : source.Raw.Slice(section.DataOffset, section.DataLength);
        long[] firsts = _firsts[field]!;
        long[] elements = _elements[field]!;
        long* batchOffsets = slot.Offsets(field);
        long capacity = slot.Capacity(field);
        int k = from;
        while (k < to)
        {
            int position = (int)(_keys[k] & (MaxBatchSize - 1));
            int run = RunAt(k, to, samples);

            // Samples consecutive in chunk and batch have adjacent values: one copy for the run.
            long first = firsts[position];
            long count = 0;
            for (int i = 0; i < run; i++)
            {
                if (firsts[position + i] != first + count)
                {
                    run = i;
                    break;
                }

                count += elements[position + i];
            }

            long at = batchOffsets[position] * item;
            long length = count * item;
            if (first + count > valueCount || at < 0 || at + length > capacity || batchOffsets[position + run] * item != at + length)
            {
                throw source.Error($"values of field '{spec.Name}' for sample {samples[position] - chunkStart} of the chunk changed between the two passes over it; the file changed while in use");
            }

            var target = new Span<byte>(slot.Data(field) + at, checked((int)length));
            if (source.IsDirect)
            {
                source.Read(section.DataOffset + (first * item), target);
            }
            else
            {
                values.Slice((int)(first * item), (int)length).CopyTo(target);
            }

            k += run;
        }
    }

    // Turns pass 1's element counts into the batch's offsets for one field; returns its value bytes.
    private long PrepareVariable(int field, int count, BatchSlot slot)
    {
        long[] elements = _elements[field]!;
        long* offsets = slot.Offsets(field);
        long total = 0;
        offsets[0] = 0;
        for (int i = 0; i < count; i++)
        {
            total += elements[i];
            offsets[i + 1] = total;
        }

        long bytes = total * _schema[field].ItemSize;
        if (!slot.TryEnsureCapacity(field, bytes))
        {
            // Idle decoded chunks hold the budget the slot needs; give them back and try once more.
            ReleaseHeld();
            _cache.TrimIdle();
            slot.EnsureCapacity(field, bytes);
        }

        slot.Lengths[field] = bytes;
        return bytes;
    }

    /// <summary>Where a group's bytes come from: a copy of the chunk in the cache, or the file itself (<see cref="File"/> set).</summary>
    private readonly ref struct ChunkSource(BatchGatherer owner, int chunk, FieldSection[] sections, ReadOnlySpan<byte> raw, OpenShard? file)
    {
        public int Chunk { get; } = chunk;

        public FieldSection[] Sections { get; } = sections;

        public ReadOnlySpan<byte> Raw { get; } = raw;

        public OpenShard? File { get; } = file;

        public bool IsDirect => File is not null;

        /// <summary>Copies bytes of the uncompressed chunk from the file with one positioned read.</summary>
        public void Read(long offsetInChunk, Span<byte> destination) =>
            owner._dataset.CopyChunkRange(File!, owner._layout.ChunkShard[Chunk], owner._layout.ChunkInShard[Chunk], offsetInChunk, destination);

        public InvalidDataException Error(string problem)
        {
            int shard = owner._layout.ChunkShard[Chunk];
            return DataErrors.Create(problem, owner._dataset.GetShardPath(shard), shard, owner._layout.ChunkInShard[Chunk]);
        }
    }
}
