using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Chunk-driven batch assembly for Sequential and Window order over fixed-width fields. Batches are planned
/// ahead into slots and every planned sample is registered with the chunk that holds it; once planning has
/// passed the last epoch position that reads a chunk (<see cref="EpochOrder.LastUse"/>: in Window order the end of
/// its group, whose windows each read a piece of it), one worker copies the
/// chunk out of the file with positioned reads (never through the mapping) into its own buffer, decoding it
/// there when compressed, so it stays in the CPU cache, and copies each registered sample straight to its
/// place in its batch. The decoded window is never kept: decoded bytes are written to memory once, into
/// the slots, instead of into a decoded-chunk cache and then again by a gather.
/// </summary>
/// <remarks>
/// A batch is complete when every chunk it reads has been scattered; batches complete out of order and the
/// loader publishes them in order. All members except <see cref="Execute"/> are called under <see cref="Sync"/>.
/// With transforms, the fields no transform consumes are scattered as they are, and the executing worker's
/// <see cref="SampleTransformer"/> writes each sample's outputs straight from the decoded chunk into its batch.
/// </remarks>
internal sealed unsafe class ChunkScatter
{
    private readonly ILoaderSource _dataset;
    private readonly ChunkIndex _layout;
    private readonly int[] _widths;
    private readonly int[] _targets;
    private readonly int[] _slotWidths;
    private readonly LoaderChunkReader _reader;

    // Guarded by Sync: the job collecting each chunk's samples, the collecting jobs by last use, the jobs ready to
    // execute, spare jobs, the planned batches not complete, the planning scratch, and the counts.
    private readonly Job?[] _collecting;
    private readonly PriorityQueue<Job, (int Epoch, long LastUse)> _closing = new();
    private readonly Queue<Job> _ready = new();
    private readonly Stack<Job> _spare = new();
    private readonly HashSet<ScatterBatch> _incomplete = [];
    private int[] _chunks = [];
    private int _collectingCount;

    public ChunkScatter(ILoaderSource dataset, ChunkIndex layout, LoaderChunkReader reader, TransformPlan? transforms)
    {
        _dataset = dataset;
        _layout = layout;
        _reader = reader;
        _widths = [.. dataset.Schema.Fields.Select(f => f.BytesPerSample)];
        _targets = transforms is null ? [.. Enumerable.Range(0, _widths.Length)] : transforms.SlotField[.._widths.Length];
        _slotWidths = [.. (transforms?.Output ?? dataset.Schema).Fields.Select(f => f.BytesPerSample)];
        _collecting = new Job?[layout.ChunkCount];
    }

    /// <summary>Gets the lock that guards planning and the job queues.</summary>
    public object Sync { get; } = new();

    /// <summary>Gets the number of jobs being executed now.</summary>
    public int Executing { get; private set; }

    /// <summary>Gets whether any job is collecting samples or waiting to be executed.</summary>
    public bool HasJobs => _collectingCount > 0 || _ready.Count > 0;

    /// <summary>Gets whether a job waits to be executed.</summary>
    public bool HasReady => _ready.Count > 0;

    /// <summary>Whether a loader can assemble this dataset's batches by scatter: every field has a fixed width.</summary>
    public static bool Supports(Schema schema) => schema.Fields.All(f => !f.IsVariable);

    /// <summary>
    /// Slots that guarantee progress: from any batch to the last position that reads any of its chunks there
    /// are at most this many batches of this rank (a Window order group of the largest chunks in every partition,
    /// since a chunk's pieces are read by every window of its group, plus a block of rounding per partition, plus
    /// the batch itself).
    /// </summary>
    public static int SpanBatches(ChunkIndex layout, SampleOrder order, int groupChunks, int partitions, int batchSize, int worldSize)
    {
        // A group never holds more chunks than its partition.
        long partitionChunks = (layout.ChunkCount + (long)partitions - 1) / partitions;
        long window = (order == SampleOrder.Window ? Math.Min(groupChunks, partitionChunks) : 1) * (long)layout.MaxChunkSamples;
        long span = partitions * (window + batchSize);
        long step = (long)worldSize * batchSize;
        return (int)Math.Min(int.MaxValue / 2, ((span + step - 1) / step) + 2);
    }

    /// <summary>Plans one batch into <paramref name="slot"/> and closes the chunks planning has now passed.</summary>
    /// <returns>The planned batch; complete already when it holds no samples.</returns>
    public ScatterBatch Register(BatchSlot slot, BatchPlan plan, IEpochOrder order)
    {
        Debug.Assert(Monitor.IsEntered(Sync));
        Span<long> samples = slot.SampleIndices.AsSpan(0, plan.Count);
        if (_chunks.Length < samples.Length)
        {
            _chunks = new int[samples.Length];
        }

        Span<int> chunks = _chunks.AsSpan(0, samples.Length);
        order.Fill(plan.Start, samples, chunks);
        slot.ResetSkipped();
        for (int f = 0; f < _slotWidths.Length; f++)
        {
            slot.Lengths[f] = (long)plan.Count * _slotWidths[f];
        }

        var batch = new ScatterBatch(slot, plan) { Remaining = plan.Count };
        if (plan.Count > 0)
        {
            _incomplete.Add(batch);
        }

        long[] chunkStarts = _layout.ChunkStarts;
        int sourceChunks = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            int chunk = chunks[i];
            Job job = _collecting[chunk] ?? Collect(plan.Epoch, chunk, order);

            // A chunk's entries are added in planning order, so its last one is this batch's when the chunk was counted.
            if (job.Entries.Count == 0 || job.Entries[^1].Batch != batch)
            {
                sourceChunks++;
            }

            job.Entries.Add(new SampleTarget(batch, i, (int)(samples[i] - chunkStarts[chunk])));
        }

        slot.SourceChunks = sourceChunks;

        while (_closing.TryPeek(out Job? next, out (int Epoch, long LastUse) at) && (at.Epoch < plan.NextEpoch || at.LastUse < plan.NextPosition))
        {
            Close(next);
        }

        return batch;
    }

    /// <summary>Closes every collecting job: nothing more will be planned (end of the plan, a fault), or progress needs the slots back.</summary>
    public void CloseAll()
    {
        Debug.Assert(Monitor.IsEntered(Sync));
        while (_closing.TryPeek(out Job? next, out _))
        {
            Close(next);
        }
    }

    /// <summary>
    /// The progress rule: when no job runs or waits to run and every batch slot holds a planned batch, every slot
    /// waits on a chunk that later batches also read, and nothing would ever complete. Then this closes every
    /// collecting job (those chunks are decoded now, and once more later for the rest of their batches) and
    /// returns true; otherwise false (a worker may wait).
    /// </summary>
    public bool ForceProgress(int plannedBatches, int slotCount)
    {
        Debug.Assert(Monitor.IsEntered(Sync));
        if (Executing != 0 || HasReady || plannedBatches != slotCount)
        {
            return false;
        }

        CloseAll();
        return true;
    }

    /// <summary>Takes the next chunk ready to be decoded and scattered.</summary>
    public bool TryTake(out Job job)
    {
        Debug.Assert(Monitor.IsEntered(Sync));
        if (_ready.TryDequeue(out Job? next))
        {
            Executing++;
            job = next;
            return true;
        }

        job = null!;
        return false;
    }

    /// <summary>
    /// Copies the job's chunk out of the file into <paramref name="buffer"/> (a compressed one through
    /// <paramref name="stored"/>, then decoded), copies every registered sample into its batch and counts the
    /// batches down; calls <paramref name="complete"/> for each batch this finished. A corrupt chunk, or a file
    /// that ends inside it, fails the batches that read it; a sample a transform rejects fails only its own batch.
    /// Called without the lock.
    /// </summary>
    public void Execute(Job job, byte[] buffer, byte[] stored, SampleTransformer? transformer, Action<ScatterBatch> complete)
    {
        ExceptionDispatchInfo? error = null;
        try
        {
            FieldSection[] sections = _reader.Read(job.Chunk, _ => buffer, stored, out int length);
            Scatter(job, buffer.AsSpan(0, length), sections, transformer);
        }
        catch (Exception e)
        {
            error = ExceptionDispatchInfo.Capture(e);
        }

        // Non-temporal stores are weakly ordered: make them visible before any batch is handed on.
        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }

        ReadOnlySpan<SampleTarget> entries = CollectionsMarshal.AsSpan(job.Entries);
        for (int k = 0; k < entries.Length;)
        {
            ScatterBatch batch = entries[k].Batch;
            int run = 1;
            while (k + run < entries.Length && entries[k + run].Batch == batch)
            {
                run++;
            }

            if (error is not null)
            {
                Interlocked.CompareExchange(ref batch.Error, error, null);
            }

            if (Interlocked.Add(ref batch.Remaining, -run) == 0)
            {
                lock (Sync)
                {
                    _incomplete.Remove(batch);
                }

                complete(batch);
            }

            k += run;
        }

        lock (Sync)
        {
            Executing--;
            job.Entries.Clear();
            _spare.Push(job);
            Monitor.PulseAll(Sync);
        }
    }

    /// <summary>Takes every planned batch that is not complete, for the loader to free their slots at dispose.</summary>
    public List<ScatterBatch> TakeIncomplete()
    {
        Debug.Assert(Monitor.IsEntered(Sync));
        List<ScatterBatch> batches = [.. _incomplete];
        _incomplete.Clear();
        Array.Clear(_collecting);
        _collectingCount = 0;
        _closing.Clear();
        _ready.Clear();
        return batches;
    }

    // Starts collecting the samples planned from a chunk; one job per chunk collects at a time. Planning an
    // epoch's last batch passes the last use of all its chunks, so a job holds samples of one epoch; and were it
    // ever to hold two, it would still copy the right bytes, since a job only copies its chunk's samples to the
    // places registered with it.
    private Job Collect(int epoch, int chunk, IEpochOrder order)
    {
        Debug.Assert(Monitor.IsEntered(Sync));
        Job job = _spare.TryPop(out Job? spare) ? spare : new Job();
        job.Chunk = chunk;
        _collecting[chunk] = job;
        _collectingCount++;
        _closing.Enqueue(job, (epoch, order.LastUse(chunk)));
        return job;
    }

    private void Close(Job job)
    {
        Debug.Assert(Monitor.IsEntered(Sync));
        _closing.Dequeue();
        _collecting[job.Chunk] = null;
        _collectingCount--;
        _ready.Enqueue(job);
    }

    // Copies runs of samples that are consecutive both in the chunk and in the batch with one copy each.
    private void Scatter(Job job, ReadOnlySpan<byte> raw, FieldSection[] sections, SampleTransformer? transformer)
    {
        ReadOnlySpan<SampleTarget> entries = CollectionsMarshal.AsSpan(job.Entries);
        int samplesInChunk = _layout.SamplesIn(job.Chunk);
        fixed (byte* basePointer = raw)
        {
            for (int f = 0; f < _widths.Length; f++)
            {
                long width = _widths[f];
                if (width == 0)
                {
                    continue;
                }

                FieldSection section = sections[f];
                if (section.DataLength < samplesInChunk * width || (long)section.DataOffset + section.DataLength > raw.Length)
                {
                    int shard = _layout.ChunkShard[job.Chunk];
                    throw DataErrors.Create(
                        $"the section of field '{_dataset.Schema[f].Name}' does not hold the chunk's {samplesInChunk} values of {width} bytes",
                        _dataset.GetShardPath(shard),
                        shard,
                        _layout.ChunkInShard[job.Chunk]);
                }

                int target = _targets[f];
                if (target < 0)
                {
                    // Consumed by a transform: only the transform reads it.
                    continue;
                }

                byte* source = basePointer + section.DataOffset;
                if (width <= 8 && (width & (width - 1)) == 0)
                {
                    ScatterSmall(entries, target, (int)width, source);
                    continue;
                }

                for (int k = 0; k < entries.Length;)
                {
                    SampleTarget e = entries[k];
                    int run = 1;
                    while (k + run < entries.Length && entries[k + run].Batch == e.Batch
                        && entries[k + run].Position == e.Position + run && entries[k + run].InChunk == e.InChunk + run)
                    {
                        run++;
                    }

                    if (k + run < entries.Length && Sse.IsSupported)
                    {
                        // Samples are visited in batch order, so they jump around the decoded chunk: fetch the
                        // next one's lines while this one is copied.
                        byte* next = source + (entries[k + run].InChunk * width);
                        long lines = Math.Min(width, 4096);
                        for (long l = 0; l < lines; l += 64)
                        {
                            Sse.Prefetch0(next + l);
                        }
                    }

                    NonTemporalCopy.Copy(e.Batch.Slot.Data(target) + (e.Position * width), source + (e.InChunk * width), run * width);
                    k += run;
                }
            }

            if (transformer is not null)
            {
                Transform(job, entries, basePointer, sections, transformer);
            }
        }
    }

    // Runs the transforms on each registered sample, from the decoded chunk into its batch. A sample a transform
    // rejects fails its own batch only, so the batches before it that read this chunk are still delivered.
    private static void Transform(Job job, ReadOnlySpan<SampleTarget> entries, byte* chunk, FieldSection[] sections, SampleTransformer transformer)
    {
        foreach (SampleTarget e in entries)
        {
            if (Volatile.Read(ref e.Batch.Error) is not null)
            {
                continue;
            }

            try
            {
                transformer.ApplyFromChunk(chunk, sections, job.Chunk, e.InChunk, e.Batch.Plan.Epoch, e.Batch.Slot, e.Position);
            }
            catch (InvalidDataException error)
            {
                Interlocked.CompareExchange(ref e.Batch.Error, ExceptionDispatchInfo.Capture(error), null);
            }
        }
    }

    // Values of 1, 2, 4 or 8 bytes (labels, ids): one load and one store each.
    private static void ScatterSmall(ReadOnlySpan<SampleTarget> entries, int field, int width, byte* source)
    {
        foreach (SampleTarget e in entries)
        {
            byte* to = e.Batch.Slot.Data(field) + ((long)e.Position * width);
            byte* from = source + ((long)e.InChunk * width);
            switch (width)
            {
                case 8: Unsafe.WriteUnaligned(to, Unsafe.ReadUnaligned<ulong>(from)); break;
                case 4: Unsafe.WriteUnaligned(to, Unsafe.ReadUnaligned<uint>(from)); break;
                case 2: Unsafe.WriteUnaligned(to, Unsafe.ReadUnaligned<ushort>(from)); break;
                default: *to = *from; break;
            }
        }
    }

    /// <summary>One planned sample: the batch and position it goes to, and its index within the chunk.</summary>
    internal readonly record struct SampleTarget(ScatterBatch Batch, int Position, int InChunk);

    /// <summary>The samples to copy out of one chunk (in one epoch).</summary>
    internal sealed class Job
    {
        public int Chunk { get; set; }

        public List<SampleTarget> Entries { get; } = [];
    }
}

/// <summary>A planned batch being filled by scatter: its slot, its plan, and how many samples are still to come.</summary>
internal sealed class ScatterBatch(BatchSlot slot, BatchPlan plan)
{
    // Fields, for Interlocked.
    public int Remaining;
    public ExceptionDispatchInfo? Error;

    public BatchSlot Slot { get; } = slot;

    public BatchPlan Plan { get; } = plan;
}
