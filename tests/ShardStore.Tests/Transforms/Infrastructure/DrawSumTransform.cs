using ShardStore.Transforms;

namespace ShardStore.Tests.Transforms.Infrastructure;

/// <summary>
/// A second transform for chains: it consumes the "draws" field a <see cref="NoiseTransform"/> wrote and writes their sum
/// plus one random integer below 10 of its own ("draw_sum", i64). Stateless: it is its own worker.
/// </summary>
internal sealed class DrawSumTransform : ISampleTransform, ISampleTransformWorker
{
    public TransformSignature Bind(Schema input) => new(["draws"], [FieldSpec.Fixed("draw_sum", DType.I64)]);

    public ISampleTransformWorker CreateWorker() => this;

    public void Apply(SampleInputs inputs, SampleOutputs outputs, ref TransformRandom random)
    {
        long sum = random.NextInt32(10);
        foreach (int d in inputs.Get<int>(0))
        {
            sum += d;
        }

        outputs.Get<long>(0)[0] = sum;
    }
}
