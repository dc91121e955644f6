using System.Runtime.InteropServices;
using ShardStore.Internals.Loading;

namespace ShardStore.Transforms;

/// <summary>The input fields of one sample, read-only, in the order of <see cref="TransformSignature.Inputs"/>.</summary>
/// <remarks>Valid only during <see cref="ISampleTransformWorker.Apply"/>.</remarks>
public readonly ref struct SampleInputs
{
    private readonly ReadOnlySpan<FieldBytes> _fields;

    internal SampleInputs(ReadOnlySpan<FieldBytes> fields, int epoch, long sampleIndex)
    {
        _fields = fields;
        Epoch = epoch;
        SampleIndex = sampleIndex;
    }

    /// <summary>Gets the number of input fields.</summary>
    public int Count => _fields.Length;

    /// <summary>Gets the epoch being read.</summary>
    public int Epoch { get; }

    /// <summary>Gets the sample's global index in the dataset.</summary>
    public long SampleIndex { get; }

    /// <summary>Gets the bytes of input <paramref name="input"/>: a fixed field's values, or a variable field's values for this sample.</summary>
    /// <param name="input">The input's position in <see cref="TransformSignature.Inputs"/>.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="input"/> is out of range.</exception>
    public ReadOnlySpan<byte> this[int input] => _fields[input].AsSpan();

    /// <summary>Gets input <paramref name="input"/> as elements of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The element type (the field's dtype, or any unmanaged type that fits its bytes).</typeparam>
    /// <param name="input">The input's position in <see cref="TransformSignature.Inputs"/>.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="input"/> is out of range.</exception>
    public ReadOnlySpan<T> Get<T>(int input)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(this[input]);
}
