using ShardStore.Transforms;

namespace ShardStore.Cuda.Tests.Infrastructure;

/// <summary>Replaces the variable-length "tokens" field by a fixed "tokens_sum" (i64) plus four random bytes, so a loader's fields differ from its dataset's.</summary>
internal sealed class TokenSumTransform : ISampleTransform
{
    public TransformSignature Bind(Schema input) =>
        new(["tokens"], [FieldSpec.Fixed("tokens_sum", DType.I64), FieldSpec.Fixed("noise", DType.U8, 4)]);

    public ISampleTransformWorker CreateWorker() => new Worker();

    private sealed class Worker : ISampleTransformWorker
    {
        public void Apply(SampleInputs inputs, SampleOutputs outputs, ref TransformRandom random)
        {
            long sum = 0;
            foreach (int token in inputs.Get<int>(0))
            {
                sum += token;
            }

            outputs.Get<long>(0)[0] = sum;
            Span<byte> noise = outputs[1];
            for (int i = 0; i < noise.Length; i++)
            {
                noise[i] = (byte)random.NextInt32(256);
            }
        }
    }
}
