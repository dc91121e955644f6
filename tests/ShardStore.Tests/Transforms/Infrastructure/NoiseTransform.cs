using System.Runtime.InteropServices;
using ShardStore.Transforms;

namespace ShardStore.Tests.Transforms.Infrastructure;

/// <summary>
/// A transform that uses randomness the way an augmentation does: it replaces an f32 field by a copy flipped at random
/// (reversed, with probability one half) plus uniform noise, and adds four random integers ("draws"); optionally it also
/// reads a variable-length i32 field and writes the sum of its values ("{field}_sum"). It rejects the samples in
/// <see cref="Rejected"/> with an <see cref="InvalidDataException"/>, and throws a <see cref="FormatException"/> on the
/// samples in <see cref="Broken"/>. <see cref="Expected"/> computes what it writes, from the key alone.
/// </summary>
internal sealed class NoiseTransform(string field, string? variableField = null) : ISampleTransform
{
    public const int Draws = 4;
    public const int DrawBound = 1000;

    private int _workers;
    private int _disposed;

    /// <summary>Gets the global sample indices rejected as corrupt.</summary>
    public HashSet<long> Rejected { get; init; } = [];

    /// <summary>Gets the global sample indices that make the transform fail with an unexpected exception type.</summary>
    public HashSet<long> Broken { get; init; } = [];

    /// <summary>Gets how many workers were created.</summary>
    public int Workers => Volatile.Read(ref _workers);

    /// <summary>Gets how many workers were disposed.</summary>
    public int Disposed => Volatile.Read(ref _disposed);

    public string SumField => $"{variableField}_sum";

    public TransformSignature Bind(Schema input)
    {
        FieldSpec spec = input.Fields[input.GetIndex(field)];
        List<FieldSpec> outputs = [FieldSpec.Fixed(field, DType.F32, [.. spec.Shape]), FieldSpec.Fixed("draws", DType.I32, Draws)];
        if (variableField is not null)
        {
            outputs.Add(FieldSpec.Fixed(SumField, DType.I64));
        }

        return new TransformSignature(variableField is null ? [field] : [field, variableField], outputs);
    }

    public ISampleTransformWorker CreateWorker()
    {
        Interlocked.Increment(ref _workers);
        return new Worker(this);
    }

    /// <summary>Computes the outputs for one sample: the noisy field and the draws.</summary>
    public static (float[] Values, int[] Draws) Expected(ReadOnlySpan<float> input, ref TransformRandom random)
    {
        bool flip = random.NextBoolean();
        float[] values = new float[input.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = input[flip ? input.Length - 1 - i : i] + (float)random.NextDouble(-0.5, 0.5);
        }

        int[] draws = new int[Draws];
        for (int k = 0; k < draws.Length; k++)
        {
            draws[k] = random.NextInt32(DrawBound);
        }

        return (values, draws);
    }

    private sealed class Worker(NoiseTransform owner) : ISampleTransformWorker, IDisposable
    {
        public void Apply(SampleInputs inputs, SampleOutputs outputs, ref TransformRandom random)
        {
            if (owner.Rejected.Contains(inputs.SampleIndex))
            {
                throw new InvalidDataException("not an image: no start-of-image marker");
            }

            if (owner.Broken.Contains(inputs.SampleIndex))
            {
                throw new FormatException("a bug in the transform");
            }

            ReadOnlySpan<float> x = inputs.Get<float>(0);
            Span<float> values = outputs.Get<float>(0);
            Span<int> draws = outputs.Get<int>(1);
            // The same draws in the same order as Expected, without allocating.
            bool flip = random.NextBoolean();
            for (int i = 0; i < x.Length; i++)
            {
                values[i] = x[flip ? x.Length - 1 - i : i] + (float)random.NextDouble(-0.5, 0.5);
            }

            for (int k = 0; k < draws.Length; k++)
            {
                draws[k] = random.NextInt32(DrawBound);
            }

            if (inputs.Count > 1)
            {
                long sum = 0;
                foreach (int t in MemoryMarshal.Cast<byte, int>(inputs[1]))
                {
                    sum += t;
                }

                outputs.Get<long>(2)[0] = sum;
            }
        }

        public void Dispose() => Interlocked.Increment(ref owner._disposed);
    }
}
