using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// The loader's transform stage: the checked <see cref="TransformPlan"/> and one <see cref="SampleTransformer"/> per
/// decode worker, each with its own transform workers and, when batches are gathered, its own staging slot for the
/// dataset's fields. All are made when the loader is created (the staging slots from the budget, like the batch slots),
/// so a transform whose CreateWorker fails fails the loader's creation, not a worker.
/// </summary>
/// <remarks>Its lock is taken alone, by a worker starting or stopping and by dispose.</remarks>
internal sealed class TransformStage : IDisposable
{
    private readonly SampleTransformer[] _made;
    private readonly object _sync = new();

    // Guarded by _sync: transformers not in use.
    private readonly Stack<SampleTransformer> _idle = new();

    public TransformStage(TransformPlan plan, ILoaderSource dataset, ChunkIndex layout, ShardLoaderOptions options, MemoryBudget budget, bool staging)
    {
        Plan = plan;
        _made = new SampleTransformer[options.DecodeWorkers];
        try
        {
            for (int i = 0; i < _made.Length; i++)
            {
                BatchSlot? slot = null;
                if (staging && (slot = BatchSlot.TryCreate(dataset.Schema, options.BatchSize, budget, -1 - i)) is null)
                {
                    throw new InvalidOperationException("The memory budget changed while the loader was being created.");
                }

                try
                {
                    _made[i] = new SampleTransformer(plan, dataset, layout, options, slot);
                }
                catch
                {
                    slot?.Dispose();
                    throw;
                }

                _idle.Push(_made[i]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TransformPlan Plan { get; }

    /// <summary>Bytes of the staging slots a gathering loader allocates for its workers.</summary>
    public static long StagingBytes(Schema input, ShardLoaderOptions options) => options.DecodeWorkers * BatchSlot.InitialBytes(input, options.BatchSize);

    /// <summary>Takes the transformer of one worker (there is one per decode worker).</summary>
    public SampleTransformer Rent()
    {
        lock (_sync)
        {
            return _idle.Pop();
        }
    }

    /// <summary>Gives a worker's transformer back.</summary>
    public void Return(SampleTransformer transformer)
    {
        lock (_sync)
        {
            _idle.Push(transformer);
        }
    }

    /// <summary>Disposes every transform worker and frees the staging slots; call once no decode worker runs.</summary>
    public void Dispose()
    {
        foreach (SampleTransformer? t in _made)
        {
            t?.Dispose();
        }
    }
}
