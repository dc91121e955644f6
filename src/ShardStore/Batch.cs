using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore;

/// <summary>
/// A batch of samples from a <see cref="ShardLoader"/>: per field, one contiguous pinned buffer shaped
/// [<see cref="Count"/>, ...shape] (variable-length fields: offsets plus values), and the samples' global indices.
/// </summary>
/// <remarks>
/// The buffers belong to one of the loader's batch slots. Spans from a batch stay valid until the batch is
/// disposed; disposing returns the slot to the loader, which refills it. Dispose every batch: the loader has
/// <see cref="ShardLoader.SlotCount"/> slots and stops when the consumer holds them all.
/// </remarks>
public sealed unsafe class Batch : IDisposable
{
    private readonly ShardLoader _owner;
    private readonly nint[]? _mapped;
    private readonly bool _endsChunk;
    private BatchSlot? _slot;
    private ChunkLease? _lease;
    private SampleSource[]? _sources;

    internal Batch(ShardLoader owner, BatchSlot slot, Schema schema, BatchPlan plan, long bytes)
    {
        _owner = owner;
        _slot = slot;
        Schema = schema;
        Plan = plan;
        Bytes = bytes;
        Count = plan.Count;
        Epoch = plan.Epoch;
        Position = plan.Start;
        Sequence = plan.Sequence;
    }

    // A batch over a chunk's mapping: each field's values start at mapped[field]; the lease keeps the mapping
    // alive (and the slot still carries the sample indices, the lengths and rebased variable-field offsets).
    internal Batch(ShardLoader owner, BatchSlot slot, Schema schema, BatchPlan plan, long bytes, ChunkLease lease, nint[] mapped, bool endsChunk)
        : this(owner, slot, schema, plan, bytes)
    {
        _lease = lease;
        _mapped = mapped;
        _endsChunk = endsChunk;
    }

    /// <summary>
    /// Gets whether the fields' values are read straight from the shard file's mapping (page-cache memory, see
    /// <see cref="ShardLoaderOptions.ZeroCopy"/>) rather than from a pinned batch slot.
    /// </summary>
    public bool IsZeroCopy => _mapped is not null;

    /// <summary>Gets the fields of every sample.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the number of samples in the batch (the batch size, except for a last partial batch).</summary>
    public int Count { get; }

    /// <summary>Gets the epoch the batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Gets where the batch's first sample lies in the epoch's global order (all ranks together).</summary>
    public long Position { get; }

    /// <summary>Gets the batch's number in the sequence this loader delivered, from 0.</summary>
    public long Sequence { get; }

    /// <summary>Gets the global index of each sample in the batch, in batch order.</summary>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan<long> SampleIndices => Slot.SampleIndices.AsSpan(0, Count);

    /// <summary>
    /// Gets, per sample in batch order, the stream it came from and its index in that stream's dataset (for a loader over
    /// a <see cref="DatasetMixture"/>; over one dataset, stream 0 and the sample's index).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The batch was disposed before the sources were first read.</exception>
    public ReadOnlySpan<SampleSource> Sources => _sources ??= _owner.SourcesOf(SampleIndices);

    /// <summary>
    /// Gets the positions in the batch (ascending) of samples a transform rejected and the loader skipped
    /// (<see cref="Transforms.TransformErrorPolicy.Skip"/>): they keep their place and indices, and every transform
    /// output of theirs is zero-filled. Empty when none was skipped.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan<int> SkippedPositions => Slot.Skipped.AsSpan(0, Slot.SkippedCount);

    /// <summary>
    /// Gets which of the loader's batch slots holds the batch, for a stage that copies from the slots' pinned buffers
    /// (see <see cref="ShardLoader.DangerousGetSlotBuffer"/>).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public int SlotIndex => Slot.Index;

    /// <summary>Gets the batch's place in the rank's schedule, and the loader state after it.</summary>
    internal BatchPlan Plan { get; }

    /// <summary>Gets the bytes of field data in the batch.</summary>
    internal long Bytes { get; }

    internal BatchSlot Slot => _slot ?? throw new ObjectDisposedException(nameof(Batch));

    /// <summary>Returns a fixed field's values for the whole batch, <c>Count x elementsPerSample</c>, sample-major.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan<T> GetFixed<T>(int field)
        where T : unmanaged
    {
        FieldSpec spec = Check<T>(field, variable: false);
        return new ReadOnlySpan<T>(DataOf(Slot, field), checked(Count * spec.BytesPerSample / Unsafe.SizeOf<T>()));
    }

    /// <summary>Returns a fixed field's values for the whole batch, by field name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan<T> GetFixed<T>(string name)
        where T : unmanaged => GetFixed<T>(Schema.GetIndex(name));

    /// <summary>Returns a fixed field as a [Count, elementsPerSample] view.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan2D<T> GetFixed2D<T>(int field)
        where T : unmanaged
    {
        ReadOnlySpan<T> values = GetFixed<T>(field);
        int width = Count == 0 ? 0 : values.Length / Count;
        return ReadOnlySpan2D<T>.DangerousCreate(in MemoryMarshal.GetReference(values), Count, width, 0);
    }

    /// <summary>Returns a fixed field as a [Count, elementsPerSample] view, by field name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan2D<T> GetFixed2D<T>(string name)
        where T : unmanaged => GetFixed2D<T>(Schema.GetIndex(name));

    /// <summary>Returns a variable-length field's offsets (Count + 1, from 0, in elements) and values for the whole batch.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/> for one-byte dtypes.</typeparam>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException">The field is fixed or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public VariableFieldView<T> GetVariable<T>(int field)
        where T : unmanaged
    {
        FieldSpec spec = Check<T>(field, variable: true);
        if (Unsafe.SizeOf<T>() != spec.ItemSize)
        {
            throw new ArgumentException($"Field '{spec.Name}' has {spec.ItemSize}-byte elements; view it with its own element type, since offsets count elements.", nameof(field));
        }

        BatchSlot slot = Slot;
        var offsets = new ReadOnlySpan<long>(slot.Offsets(field), Count + 1);
        return new VariableFieldView<T>(offsets, new ReadOnlySpan<T>(DataOf(slot, field), checked((int)(slot.Lengths[field] / spec.ItemSize))));
    }

    /// <summary>Returns a variable-length field's offsets and values for the whole batch, by field name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/> for one-byte dtypes.</typeparam>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">The field is fixed or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public VariableFieldView<T> GetVariable<T>(string name)
        where T : unmanaged => GetVariable<T>(Schema.GetIndex(name));

    /// <summary>Returns the shape of a fixed field's batch buffer: [Count, ...the field's shape].</summary>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException">The field is variable-length.</exception>
    public int[] GetShape(int field)
    {
        FieldSpec spec = Schema[field];
        if (spec.IsVariable)
        {
            throw new ArgumentException($"Field '{spec.Name}' is variable-length; it has offsets instead of a shape.", nameof(field));
        }

        return [Count, .. spec.Shape];
    }

    /// <summary>Returns the shape of a fixed field's batch buffer, by field name: [Count, ...the field's shape].</summary>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">The field is variable-length.</exception>
    public int[] GetShape(string name) => GetShape(Schema.GetIndex(name));

    /// <summary>Returns the bytes of a field's batch buffer: the values of a fixed field, or the concatenated values of a variable one.</summary>
    /// <param name="field">Field index.</param>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan<byte> GetBytes(int field)
    {
        BatchSlot slot = Slot;
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, Schema.Count);
        FieldSpec spec = Schema[field];
        long length = spec.IsVariable ? slot.Lengths[field] : (long)Count * spec.BytesPerSample;
        return new ReadOnlySpan<byte>(DataOf(slot, field), checked((int)length));
    }

    /// <summary>Returns the bytes of a field's batch buffer, by field name.</summary>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public ReadOnlySpan<byte> GetBytes(string name) => GetBytes(Schema.GetIndex(name));

    private byte* DataOf(BatchSlot slot, int field) => _mapped is { } mapped ? (byte*)mapped[field] : slot.Data(field);

    /// <summary>Returns the batch's slot to the loader; spans obtained from this batch must no longer be used. Safe to call twice.</summary>
    /// <remarks>
    /// After this every accessor throws <see cref="ObjectDisposedException"/>. A span taken before reads memory the
    /// loader refills with other batches, or frees when the loader is disposed; Debug builds overwrite the slot
    /// with 0xDD bytes here, so such a read shows up in tests instead of passing with stale values.
    /// </remarks>
    public void Dispose()
    {
        BatchSlot? slot = Interlocked.Exchange(ref _slot, null);
        if (slot is not null)
        {
            if (Interlocked.Exchange(ref _lease, null) is { } lease)
            {
                _owner.ReleaseZeroCopy(lease, _endsChunk);
            }

            slot.Poison();
            _owner.ReturnSlot(slot);
        }
    }

    private FieldSpec Check<T>(int field, bool variable)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_slot is null, this);
        return FieldViews.Check<T>(Schema, field, variable);
    }
}
