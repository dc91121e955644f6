namespace ShardStore.Transforms;

/// <summary>
/// A per-sample transform the loader runs on its decode workers, between decoding a chunk and writing the batch slot:
/// it reads some fields of one sample and writes fixed-shape output fields straight into the batch.
/// </summary>
/// <remarks>
/// <para>
/// The loader calls <see cref="Bind"/> once, when it is created, with the schema the transform receives (the dataset's,
/// as earlier transforms in <see cref="ShardLoaderOptions.Transforms"/> left it), then <see cref="CreateWorker"/> once per
/// decode worker that runs it. Each worker object is used by one thread at a time, so it may keep scratch buffers and
/// native handles; the loader disposes the workers that implement <see cref="IDisposable"/> when it is disposed.
/// </para>
/// <para>
/// Every random choice must come from the <see cref="TransformRandom"/> passed to
/// <see cref="ISampleTransformWorker.Apply"/>: it is keyed by the loader's seed, the epoch, the sample's global index and
/// the transform's position in the list, so a sample gets the same draws whatever the worker count, world size or
/// resume point.
/// </para>
/// </remarks>
public interface ISampleTransform
{
    /// <summary>Declares which fields the transform reads and which it writes, given the schema it receives.</summary>
    /// <param name="input">The fields of each sample as the transform receives them.</param>
    /// <returns>The fields read and the output fields written.</returns>
    /// <exception cref="ArgumentException">The schema lacks a field the transform needs, or has one of the wrong dtype.</exception>
    TransformSignature Bind(Schema input);

    /// <summary>Creates the object one decode worker applies the transform with.</summary>
    /// <returns>A worker; it may return the transform itself when that keeps no per-thread state.</returns>
    ISampleTransformWorker CreateWorker();
}
