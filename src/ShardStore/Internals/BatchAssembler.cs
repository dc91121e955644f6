using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ShardStore.Format;

namespace ShardStore.Internals;

/// <summary>
/// Fills a batch slot: the samples' global indices from the epoch order, then, chunk by chunk, each field's
/// values copied into the slot's contiguous buffers. One per worker (it owns scratch arrays).
/// </summary>
internal sealed unsafe class BatchAssembler
{
    private const int IndexBits = 24;
    private const int MaxHeldChunks = 1024;
    private const int PrefetchBytes = 512;
    private readonly Schema _schema;
    private readonly DatasetLayout _layout;
    private readonly LoaderChunkCache _cache;
    private readonly Action<int>? _onLoad;
    private readonly long[] _keys;
    private readonly long[]?[] _elements;
    private readonly bool _hasVariable;
    private readonly int[] _groupStarts;
    private readonly bool _holdMapped;
    private EpochOrder? _order;
    private long _uses;
    private readonly Dictionary<int, LoaderChunkCache.Entry> _held = [];
    private readonly int[] _deferred;

    public BatchAssembler(Schema schema, DatasetLayout layout, LoaderChunkCache cache, int batchSize, bool holdMapped, Action<int>? onLoad)
    {
        _holdMapped = holdMapped;
        _schema = schema;
        _layout = layout;
        _cache = cache;
        _onLoad = onLoad;
        _keys = new long[batchSize];
        _elements = [.. schema.Fields.Select(f => f.IsVariable ? new long[batchSize] : null)];
        _hasVariable = schema.Fields.Any(f => f.IsVariable);
        _groupStarts = new int[batchSize + 1];
        _deferred = new int[batchSize];
    }

    /// <summary>The largest batch size the key encoding supports.</summary>
    public const int MaxBatchSize = 1 << IndexBits;

    /// <summary>Unpins the mapped chunks this worker kept pinned between batches.</summary>
    public void ReleaseHeld()
    {
        foreach (LoaderChunkCache.Entry entry in _held.Values)
        {
            _cache.Release(entry);
        }

        _held.Clear();
    }

    /// <summary>Gathers the batch's samples into <paramref name="slot"/>; returns the bytes written.</summary>
    public long Assemble(EpochOrder order, long start, int count, BatchSlot slot, CancellationToken cancellationToken)
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

        // Pass 1: fixed fields, and the element count of each sample's variable fields.
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
        // In Random order every batch touches most chunks; a worker keeps mapped (uncompressed) chunks pinned
        // between batches, which costs no budget and spares a trip through the shared cache per chunk.
        bool held = _held.TryGetValue(chunk, out LoaderChunkCache.Entry? entry);
        entry ??= _cache.Acquire(chunk, Priority(chunk), wait, _onLoad, cancellationToken);
        if (entry is null)
        {
            return false;
        }

        if (!held && _holdMapped && entry.Lease is not null && _held.Count < MaxHeldChunks)
        {
            _held.Add(chunk, entry);
            held = true;
        }

        try
        {
            ReadOnlySpan<byte> raw = entry.Raw;
            long chunkStart = _layout.ChunkStarts[chunk];
            for (int f = 0; f < _schema.Count; f++)
            {
                FieldSpec spec = _schema[f];
                FieldSection section = entry.Sections[f];
                if (spec.IsVariable)
                {
                    GatherVariable(f, spec, section, raw, samples, chunkStart, from, to, slot, countOnly: !variablePass);
                }
                else if (!variablePass)
                {
                    GatherFixed(f, spec.BytesPerSample, section, raw, samples, chunkStart, from, to, slot);
                }
            }
        }
        finally
        {
            if (!held)
            {
                _cache.Release(entry);
            }
        }

        return true;
    }

    // Sequential and Window: the chunk's place in the epoch's schedule, so finished windows are evicted first.
    // Random: the order of use (least recently used goes first).
    private long Priority(int chunk) =>
        _order!.SchedulePosition(chunk) is int s and >= 0 ? ((long)_order.Epoch * _layout.ChunkCount) + s : ++_uses;

    // Copies runs of samples that are consecutive both in the chunk and in the batch with one copy each.
    private void GatherFixed(int field, int width, FieldSection section, ReadOnlySpan<byte> raw, ReadOnlySpan<long> samples, long chunkStart, int from, int to, BatchSlot slot)
    {
        if (width == 0)
        {
            return;
        }

        ReadOnlySpan<byte> source = raw.Slice(section.DataOffset, section.DataLength);
        byte* destination = slot.Data(field);
        int k = from;
        while (k < to)
        {
            int position = (int)(_keys[k] & (MaxBatchSize - 1));
            long inChunk = samples[position] - chunkStart;
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

            if (k + run < to)
            {
                // Shuffled orders jump around the chunk: start fetching the next sample while this one is copied.
                long next = samples[(int)(_keys[k + run] & (MaxBatchSize - 1))] - chunkStart;
                Prefetch(source.Slice((int)(next * width), Math.Min(width, PrefetchBytes)));
            }

            source.Slice((int)(inChunk * width), run * width).CopyTo(new Span<byte>(destination + ((long)position * width), run * width));
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

    private void GatherVariable(int field, FieldSpec spec, FieldSection section, ReadOnlySpan<byte> raw, ReadOnlySpan<long> samples, long chunkStart, int from, int to, BatchSlot slot, bool countOnly)
    {
        ReadOnlySpan<long> offsets = MemoryMarshal.Cast<byte, long>(raw.Slice(section.OffsetsOffset, (_layout.SamplesIn((int)(_keys[from] >> IndexBits)) + 1) * sizeof(long)));
        ReadOnlySpan<byte> values = raw.Slice(section.DataOffset, section.DataLength);
        long* batchOffsets = slot.Offsets(field);
        int item = spec.ItemSize;
        for (int k = from; k < to; k++)
        {
            int position = (int)(_keys[k] & (MaxBatchSize - 1));
            int inChunk = (int)(samples[position] - chunkStart);
            long first = offsets[inChunk];
            long elements = offsets[inChunk + 1] - first;
            if (countOnly)
            {
                _elements[field]![position] = elements;
                continue;
            }

            long at = batchOffsets[position] * item;
            values.Slice((int)(first * item), (int)(elements * item)).CopyTo(new Span<byte>(slot.Data(field) + at, (int)(elements * item)));
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
            _cache.TrimIdle();
            slot.EnsureCapacity(field, bytes);
        }

        slot.Lengths[field] = bytes;
        return bytes;
    }
}
