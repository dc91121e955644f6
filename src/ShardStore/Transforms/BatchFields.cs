using System.Runtime.InteropServices;
using ShardStore.Internals.Loading;

namespace ShardStore.Transforms;

/// <summary>The writable fixed-shape fields of one batch, for an <see cref="IBatchTransform"/>.</summary>
/// <remarks>Valid only during <see cref="IBatchTransform.Apply"/>.</remarks>
public readonly unsafe ref struct BatchFields
{
    private readonly BatchSlot _slot;

    internal BatchFields(BatchSlot slot, Schema schema, int count, int epoch, long position)
    {
        _slot = slot;
        Schema = schema;
        Count = count;
        Epoch = epoch;
        Position = position;
    }

    /// <summary>Gets the fields of every sample.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the number of samples in the batch.</summary>
    public int Count { get; }

    /// <summary>Gets the epoch the batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Gets where the batch's first sample lies in the epoch's global order.</summary>
    public long Position { get; }

    /// <summary>Gets the global index of each sample, in batch order.</summary>
    public ReadOnlySpan<long> SampleIndices => _slot.SampleIndices.AsSpan(0, Count);

    /// <summary>Gets the positions of samples a per-sample transform rejected and the loader skipped, ascending.</summary>
    public ReadOnlySpan<int> SkippedPositions => _slot.Skipped.AsSpan(0, _slot.SkippedCount);

    /// <summary>Gets a fixed field's bytes for the whole batch, <c>Count x BytesPerSample</c>, sample-major.</summary>
    /// <param name="field">The field index in <see cref="Schema"/>.</param>
    /// <exception cref="ArgumentException">The field is variable-length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="field"/> is out of range.</exception>
    public Span<byte> GetBytes(int field)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, Schema.Count);
        FieldSpec spec = Schema[field];
        if (spec.IsVariable)
        {
            throw new ArgumentException($"Field '{spec.Name}' is variable-length; a batch transform rewrites fixed fields only.", nameof(field));
        }

        return new Span<byte>(_slot.Data(field), checked(Count * spec.BytesPerSample));
    }

    /// <summary>Gets a fixed field's values for the whole batch as elements of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The element type (the field's dtype, or any unmanaged type that fits its bytes).</typeparam>
    /// <param name="field">The field index in <see cref="Schema"/>.</param>
    /// <exception cref="ArgumentException">The field is variable-length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="field"/> is out of range.</exception>
    public Span<T> Get<T>(int field)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(GetBytes(field));
}
