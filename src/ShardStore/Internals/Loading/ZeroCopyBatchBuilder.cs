using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ShardStore.Format;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// <see cref="ShardLoaderOptions.ZeroCopy"/>: a batch of consecutive samples inside one uncompressed chunk is handed
/// out over the chunk's mapping instead of being copied. The slot still carries the sample indices, the lengths and,
/// for variable fields, the offsets rebased to 0. The gather producer tries this first for each batch in Sequential
/// order and gathers the batches it declines. Thread-safe.
/// </summary>
internal sealed class ZeroCopyBatchBuilder(ShardLoader owner, ILoaderSource dataset, ChunkIndex index, LoaderChunkReader reader, EpochOrderCache orders)
{
    // Interlocked.
    private long _built;

    /// <summary>Gets how many batches were handed out zero-copy.</summary>
    public long Built => Interlocked.Read(ref _built);

    /// <summary>Builds the batch of <paramref name="plan"/> over the mapping, in <paramref name="slot"/>; false when it does not lie inside one uncompressed chunk.</summary>
    /// <exception cref="InvalidDataException">The chunk is corrupt (including offsets that do not increase).</exception>
    public unsafe bool TryBuild(BatchPlan plan, BatchSlot slot, out Batch? batch)
    {
        batch = null;
        long bytes = 0;
        int count = plan.Count;
        Span<long> samples = slot.SampleIndices.AsSpan(0, count);
        orders.Get(plan.Epoch).Fill(plan.Start, samples);
        if (count == 0)
        {
            return false;
        }

        long first = samples[0];
        for (int i = 1; i < count; i++)
        {
            if (samples[i] != first + i)
            {
                return false;
            }
        }

        int chunk = index.ChunkOf(first);
        long chunkStart = index.ChunkStarts[chunk];
        long chunkEnd = index.ChunkStarts[chunk + 1];
        int shard = index.ChunkShard[chunk];
        int inShard = index.ChunkInShard[chunk];
        if (first + count > chunkEnd || dataset.GetEntry(shard, inShard).Codec != Compression.CodecKind.None)
        {
            return false;
        }

        ChunkLease lease = reader.ReadMapped(chunk);
        try
        {
            FieldSection[] sections = lease.Sections;
            ReadOnlySpan<byte> raw = lease.RawBytes;
            int inChunk = (int)(first - chunkStart);
            Schema schema = dataset.Schema;
            nint[] mapped = new nint[schema.Count];
            byte* basePointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
            for (int f = 0; f < schema.Count; f++)
            {
                FieldSpec spec = schema[f];
                FieldSection section = sections[f];
                if (!spec.IsVariable)
                {
                    mapped[f] = (nint)(basePointer + section.DataOffset + ((long)inChunk * spec.BytesPerSample));
                    slot.Lengths[f] = (long)count * spec.BytesPerSample;
                }
                else
                {
                    // The mapping can change under us: copy the batch's offsets once into the slot, check them
                    // there, and use only the copy.
                    long* rebased = slot.Offsets(f);
                    var copy = new Span<long>(rebased, count + 1);
                    MemoryMarshal.Cast<byte, long>(raw.Slice(section.OffsetsOffset, (index.SamplesIn(chunk) + 1) * sizeof(long))).Slice(inChunk, count + 1).CopyTo(copy);
                    long start = copy[0];
                    long valueCount = section.DataLength / spec.ItemSize;
                    for (int i = 0; i <= count; i++)
                    {
                        if (copy[i] < start || copy[i] > valueCount || (i > 0 && copy[i] < copy[i - 1] + start))
                        {
                            throw DataErrors.Create(
                                $"offsets of field '{spec.Name}' for sample {inChunk + i} of the chunk do not increase within its {valueCount} values",
                                dataset.GetShardPath(shard),
                                shard,
                                inShard);
                        }

                        copy[i] -= start;
                    }

                    mapped[f] = (nint)(basePointer + section.DataOffset + (start * spec.ItemSize));
                    slot.Lengths[f] = copy[count] * spec.ItemSize;
                }

                bytes += slot.Lengths[f];
            }

            slot.SourceChunks = 1;
            batch = new Batch(owner, slot, schema, plan, bytes, lease, mapped, endsChunk: first + count == chunkEnd);
            Interlocked.Increment(ref _built);
            return true;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }
}
