using System.Runtime.InteropServices;
using ShardStore.Internals.Loading;

namespace ShardStore.Transforms;

/// <summary>Where one sample's output fields go in the batch, in the order of <see cref="TransformSignature.Outputs"/>.</summary>
/// <remarks>Valid only during <see cref="ISampleTransformWorker.Apply"/>; the transform writes every byte of every output.</remarks>
public readonly ref struct SampleOutputs
{
    private readonly ReadOnlySpan<FieldBytes> _fields;

    internal SampleOutputs(ReadOnlySpan<FieldBytes> fields) => _fields = fields;

    /// <summary>Gets the number of output fields.</summary>
    public int Count => _fields.Length;

    /// <summary>Gets the bytes of output <paramref name="output"/> for this sample (<see cref="FieldSpec.BytesPerSample"/> of them).</summary>
    /// <param name="output">The output's position in <see cref="TransformSignature.Outputs"/>.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="output"/> is out of range.</exception>
    public Span<byte> this[int output] => _fields[output].AsWritableSpan();

    /// <summary>Gets output <paramref name="output"/> as elements of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The element type (the field's dtype, or any unmanaged type that fits its bytes).</typeparam>
    /// <param name="output">The output's position in <see cref="TransformSignature.Outputs"/>.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="output"/> is out of range.</exception>
    public Span<T> Get<T>(int output)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(this[output]);
}
