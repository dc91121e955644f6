using ShardStore.Internals.Ordering;
using ShardStore.Transforms;

namespace ShardStore.Internals.Loading;

/// <summary>Runs <see cref="ShardLoaderOptions.BatchTransforms"/> on a filled slot, on the worker that completed it, outside every lock.</summary>
internal sealed class BatchTransformStep
{
    private readonly IBatchTransform[] _steps;
    private readonly Schema _schema;
    private readonly ulong _seed;

    private BatchTransformStep(IBatchTransform[] steps, Schema schema, ulong seed)
    {
        _steps = steps;
        _schema = schema;
        _seed = seed;
    }

    /// <summary>Binds the options' batch transforms to the batches' schema; null when there are none.</summary>
    /// <exception cref="ArgumentException">A step is null, or refuses the schema.</exception>
    public static BatchTransformStep? Create(Schema schema, ShardLoaderOptions options)
    {
        if (options.BatchTransforms is not { Count: > 0 } steps)
        {
            return null;
        }

        IBatchTransform[] bound = [.. steps];
        for (int k = 0; k < bound.Length; k++)
        {
            (bound[k] ?? throw new ArgumentException($"ShardLoaderOptions.BatchTransforms[{k}] is null.", nameof(options))).Bind(schema);
        }

        return new BatchTransformStep(bound, schema, options.Seed);
    }

    /// <summary>Runs every step on the batch in <paramref name="slot"/>; nothing for an empty batch.</summary>
    public void Apply(BatchSlot slot, BatchPlan plan)
    {
        if (plan.Count == 0)
        {
            return;
        }

        for (int k = 0; k < _steps.Length; k++)
        {
            var random = new TransformRandom(_seed, plan.Epoch, plan.Start, -1 - k);
            _steps[k].Apply(new BatchFields(slot, _schema, plan.Count, plan.Epoch, plan.Start), ref random);
        }
    }
}
