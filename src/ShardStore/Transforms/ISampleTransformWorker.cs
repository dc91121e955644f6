namespace ShardStore.Transforms;

/// <summary>One decode worker's instance of an <see cref="ISampleTransform"/>; used by one thread at a time.</summary>
public interface ISampleTransformWorker
{
    /// <summary>Transforms one sample: reads its input fields and writes every byte of its output fields.</summary>
    /// <remarks>
    /// The spans point into the loader's buffers and are valid only during the call. The outputs are not cleared
    /// beforehand: a byte left unwritten holds whatever the batch slot held. Called on the hot path: allocate nothing.
    /// </remarks>
    /// <param name="inputs">The sample's fields listed in <see cref="TransformSignature.Inputs"/>, in that order.</param>
    /// <param name="outputs">The sample's places in the batch for the fields of <see cref="TransformSignature.Outputs"/>, in that order.</param>
    /// <param name="random">The generator for this transform and sample; draw every random choice from it.</param>
    /// <exception cref="InvalidDataException">
    /// The sample cannot be transformed (a corrupt or truncated image). The loader stops with an error naming the sample,
    /// shard and chunk, or skips the sample, as <see cref="ShardLoaderOptions.TransformErrors"/> says. Any other exception
    /// stops the loader as it is.
    /// </exception>
    void Apply(SampleInputs inputs, SampleOutputs outputs, ref TransformRandom random);
}
