namespace ShardStore.Transforms;

/// <summary>
/// A per-batch step the loader runs once for each batch, after every sample of it is written and before it is handed
/// out (mixing samples, batch statistics): it may rewrite the batch's fixed-shape fields in place.
/// </summary>
/// <remarks>
/// The loader calls <see cref="Bind"/> once, when it is created, with the batches' schema. <see cref="Apply"/> runs on
/// the decode workers, for different batches at once: it must be safe to call from several threads. Its
/// <see cref="TransformRandom"/> is keyed by the loader's seed, the epoch, the batch's position in the epoch's global
/// order and -1 - the step's index in <see cref="ShardLoaderOptions.BatchTransforms"/>, so the same batch gets the same
/// draws whatever the worker count or resume point (and world size, except for the last batches of an epoch, which
/// depend on it).
/// </remarks>
public interface IBatchTransform
{
    /// <summary>Checks the batches' schema.</summary>
    /// <param name="schema">The fields of every batch (after the per-sample transforms).</param>
    /// <exception cref="ArgumentException">The schema lacks a field the step needs.</exception>
    void Bind(Schema schema);

    /// <summary>Transforms one batch in place.</summary>
    /// <param name="batch">The batch's fixed-shape fields, writable, valid only during the call.</param>
    /// <param name="random">The generator for this step and batch.</param>
    void Apply(BatchFields batch, ref TransformRandom random);
}
