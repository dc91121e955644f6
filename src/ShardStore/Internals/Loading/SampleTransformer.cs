using System.Runtime.InteropServices;
using ShardStore.Format;
using ShardStore.Internals.Reading;
using ShardStore.Transforms;

namespace ShardStore.Internals.Loading;

/// <summary>
/// One decode worker's transform stage: runs the plan's transforms on each sample, reading its fields from a staging
/// slot (gather) or from the decoded chunk (scatter) and writing the outputs straight into the batch slot.
/// </summary>
/// <remarks>
/// Used by one worker thread at a time, so nothing here is locked; the only state another thread may touch is the batch
/// slot's list of skipped samples, which is appended to with Interlocked (scatter workers share a batch).
/// </remarks>
internal sealed unsafe class SampleTransformer : IDisposable
{
    private readonly TransformPlan _plan;
    private readonly ILoaderSource _dataset;
    private readonly ChunkIndex _layout;
    private readonly ulong _seed;
    private readonly bool _skip;
    private readonly ISampleTransformWorker[] _workers;

    // One worker thread: where each field id of the current sample lies, each step's views of them, and scratch outputs.
    private readonly FieldBytes[] _fields;
    private readonly FieldBytes[][] _inputs;
    private readonly FieldBytes[][] _outputs;
    private readonly byte[] _scratch;

    public SampleTransformer(TransformPlan plan, ILoaderSource dataset, ChunkIndex layout, ShardLoaderOptions options, BatchSlot? staging)
    {
        _plan = plan;
        _dataset = dataset;
        _layout = layout;
        _seed = options.Seed;
        _skip = options.TransformErrors == TransformErrorPolicy.Skip;
        Staging = staging;
        _fields = new FieldBytes[plan.Specs.Length];
        _inputs = [.. plan.Steps.Select(s => new FieldBytes[s.Inputs.Length])];
        _outputs = [.. plan.Steps.Select(s => new FieldBytes[s.Outputs.Length])];
        _scratch = GC.AllocateArray<byte>(Math.Max(1, plan.ScratchBytes), pinned: true);
        fixed (byte* scratch = _scratch)
        {
            for (int id = 0; id < _fields.Length; id++)
            {
                if (plan.ScratchOffset[id] >= 0)
                {
                    _fields[id] = new FieldBytes(scratch + plan.ScratchOffset[id], plan.Specs[id].BytesPerSample);
                }
            }
        }

        _workers = new ISampleTransformWorker[plan.Steps.Length];
        try
        {
            for (int k = 0; k < _workers.Length; k++)
            {
                _workers[k] = plan.Steps[k].Transform.CreateWorker()
                    ?? throw new InvalidOperationException($"{plan.Steps[k].Name}: CreateWorker returned null.");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Gets the slot a gathering worker gathers the dataset's fields into before they are transformed; null for scatter.</summary>
    public BatchSlot? Staging { get; }

    /// <summary>
    /// Fills <paramref name="slot"/> from the gathered <see cref="Staging"/> slot: the sample indices, the fields passed
    /// through, and every sample's transform outputs, in batch order; returns the bytes of the batch.
    /// </summary>
    /// <exception cref="InvalidDataException">A transform rejected a sample and the policy is to throw; it names the sample, shard and chunk.</exception>
    public long FillFromStaging(BatchSlot slot, int epoch, int count)
    {
        BatchSlot staging = Staging!;
        staging.SampleIndices.AsSpan(0, count).CopyTo(slot.SampleIndices);
        slot.ResetSkipped();
        Schema output = _plan.Output;
        long bytes = 0;
        for (int o = 0; o < output.Count; o++)
        {
            int source = _plan.SourceOf[o];
            FieldSpec spec = output[o];
            slot.Lengths[o] = spec.IsVariable ? staging.Lengths[source] : (long)count * spec.BytesPerSample;
            bytes += slot.Lengths[o];
            if (source < 0)
            {
                continue;
            }

            if (spec.IsVariable)
            {
                slot.EnsureCapacity(o, slot.Lengths[o]);
                new ReadOnlySpan<long>(staging.Offsets(source), count + 1).CopyTo(new Span<long>(slot.Offsets(o), count + 1));
            }

            Buffer.MemoryCopy(staging.Data(source), slot.Data(o), slot.Capacity(o), slot.Lengths[o]);
        }

        for (int i = 0; i < count; i++)
        {
            for (int f = 0; f < _plan.Input.Count; f++)
            {
                if (_plan.DatasetRead[f])
                {
                    FieldSpec spec = _plan.Input[f];
                    if (spec.IsVariable)
                    {
                        long* offsets = staging.Offsets(f);
                        _fields[f] = new FieldBytes(staging.Data(f) + (offsets[i] * spec.ItemSize), checked((int)((offsets[i + 1] - offsets[i]) * spec.ItemSize)));
                    }
                    else
                    {
                        _fields[f] = new FieldBytes(staging.Data(f) + ((long)i * spec.BytesPerSample), spec.BytesPerSample);
                    }
                }
            }

            Apply(epoch, slot.SampleIndices[i], i, slot, chunk: -1);
        }

        return bytes;
    }

    /// <summary>
    /// Transforms one sample of a decoded chunk (fixed-width fields only, as scatter has) into its place in a batch.
    /// </summary>
    /// <exception cref="InvalidDataException">A transform rejected the sample and the policy is to throw; it names the sample, shard and chunk.</exception>
    public void ApplyFromChunk(byte* chunkBytes, FieldSection[] sections, int chunk, int inChunk, int epoch, BatchSlot slot, int position)
    {
        for (int f = 0; f < _plan.Input.Count; f++)
        {
            if (_plan.DatasetRead[f])
            {
                int width = _plan.Input[f].BytesPerSample;
                _fields[f] = new FieldBytes(chunkBytes + sections[f].DataOffset + ((long)inChunk * width), width);
            }
        }

        Apply(epoch, _layout.ChunkStarts[chunk] + inChunk, position, slot, chunk);
    }

    public void Dispose()
    {
        foreach (ISampleTransformWorker? worker in _workers)
        {
            (worker as IDisposable)?.Dispose();
        }

        Staging?.Dispose();
    }

    // Runs the chain on one sample whose dataset fields _fields points at. chunk: the sample's chunk, or -1 to look it up.
    private void Apply(int epoch, long sample, int position, BatchSlot slot, int chunk)
    {
        foreach (int id in _plan.FinalOutputs)
        {
            int width = _plan.Specs[id].BytesPerSample;
            _fields[id] = new FieldBytes(slot.Data(_plan.SlotField[id]) + ((long)position * width), width);
        }

        TransformStep[] steps = _plan.Steps;
        for (int k = 0; k < steps.Length; k++)
        {
            FieldBytes[] inputs = _inputs[k];
            FieldBytes[] outputs = _outputs[k];
            TransformStep step = steps[k];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = _fields[step.Inputs[i]];
            }

            for (int o = 0; o < outputs.Length; o++)
            {
                outputs[o] = _fields[step.Outputs[o]];
            }

            var random = new TransformRandom(_seed, epoch, sample, k);
            try
            {
                _workers[k].Apply(new SampleInputs(inputs, epoch, sample), new SampleOutputs(outputs), ref random);
            }
            catch (InvalidDataException) when (_skip)
            {
                foreach (int id in _plan.FinalOutputs)
                {
                    _fields[id].AsWritableSpan().Clear();
                }

                slot.AddSkipped(position);
                return;
            }
            catch (InvalidDataException e)
            {
                throw Located(e, step, epoch, sample, chunk >= 0 ? chunk : _layout.ChunkOf(sample));
            }
        }
    }

    private InvalidDataException Located(InvalidDataException e, TransformStep step, int epoch, long sample, int chunk)
    {
        int shard = _layout.ChunkShard[chunk];
        return DataErrors.Create(
            $"{step.Name} rejected global sample {sample} in epoch {epoch}: {e.Message} (ShardLoaderOptions.TransformErrors = Skip keeps the loader going, with this sample's outputs zero-filled)",
            _dataset.GetShardPath(shard),
            shard,
            _layout.ChunkInShard[chunk],
            record: sample,
            innerException: e);
    }
}
