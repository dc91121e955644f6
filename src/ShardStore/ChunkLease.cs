using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Reading;
using ShardStore.Internals.Sources;

namespace ShardStore;

/// <summary>The decoded, checksum-verified contents of one chunk: a run of consecutive samples, field by field.</summary>
/// <remarks>
/// Spans from a lease stay valid until the lease is disposed; after that the memory is reused (a decoded
/// buffer) or may be unmapped (an uncompressed chunk, handed out zero-copy over the mapped file). Dispose
/// every lease; a dataset's decode budget is held by leases that are still alive.
/// </remarks>
public sealed unsafe class ChunkLease : IDisposable
{
    private readonly ShardDataset _owner;
    private readonly FieldSection[] _sections;
    private readonly byte* _pointer;
    private readonly int _length;
    private readonly DecodedChunk? _decoded;
    private readonly ShardMapping? _mapping;

    // Holders of the memory: 1 for the lease until Dispose, plus 1 per read in progress inside a method of the lease.
    // The memory is released when it drops to 0, so a Dispose racing such a read frees it only after the read.
    private int _holders = 1;
    private int _disposed;

    internal ChunkLease(ShardDataset owner, DecodedChunk decoded, long firstSample, int sampleCount, CodecKind codec)
        : this(owner, decoded.Shard, decoded.Chunk, decoded.Sections, firstSample, sampleCount, codec)
    {
        _decoded = decoded;
        _length = decoded.Length;
    }

    internal ChunkLease(ShardDataset owner, ShardMapping mapping, long offset, int length, FieldSection[] sections, int shard, int chunk, long firstSample, int sampleCount)
        : this(owner, shard, chunk, sections, firstSample, sampleCount, CodecKind.None)
    {
        _mapping = mapping;
        _pointer = mapping.Pointer + offset;
        _length = length;
    }

    private ChunkLease(ShardDataset owner, int shard, int chunk, FieldSection[] sections, long firstSample, int sampleCount, CodecKind codec)
    {
        _owner = owner;
        _sections = sections;
        Shard = shard;
        Chunk = chunk;
        FirstSample = firstSample;
        SampleCount = sampleCount;
        StoredCodec = codec;
        owner.OnLeaseCreated();
    }

    /// <summary>Gets the shard index.</summary>
    public int Shard { get; }

    /// <summary>Gets the chunk index within its shard.</summary>
    public int Chunk { get; }

    /// <summary>Gets the global index of the chunk's first sample.</summary>
    public long FirstSample { get; }

    /// <summary>Gets the number of samples in the chunk.</summary>
    public int SampleCount { get; }

    /// <summary>Gets the codec the chunk was stored with.</summary>
    public CodecKind StoredCodec { get; }

    /// <summary>Gets where each field lies in <see cref="RawBytes"/>.</summary>
    internal FieldSection[] Sections => _sections;

    /// <summary>Gets whether the spans point straight into the mapped file (an uncompressed chunk).</summary>
    public bool IsZeroCopy => _mapping is not null;

    /// <summary>Gets the whole raw chunk in its on-disk layout (docs/FORMAT.md).</summary>
    /// <remarks>
    /// Throws once <see cref="Dispose"/> has started, from any thread. A span obtained before must not be used
    /// after the lease is disposed: the lease cannot know when the caller stops using it.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan<byte> RawBytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return Raw;
        }
    }

    // The fields never change after construction, so a concurrent Dispose cannot make this point at nothing.
    private ReadOnlySpan<byte> Raw => _decoded is { } d ? d.Buffer.AsSpan(0, _length) : new ReadOnlySpan<byte>(_pointer, _length);

    /// <summary>Returns a fixed field's values for all samples, <c>SampleCount x elementsPerSample</c>, sample-major.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan<T> GetFixed<T>(int field)
        where T : unmanaged
    {
        FieldSection s = Section<T>(field, variable: false);
        return MemoryMarshal.Cast<byte, T>(RawBytes.Slice(s.DataOffset, s.DataLength));
    }

    /// <summary>Returns a fixed field's values for all samples, by field name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan<T> GetFixed<T>(string name)
        where T : unmanaged => GetFixed<T>(_owner.Schema.GetIndex(name));

    /// <summary>Returns a fixed field as a [samples, elementsPerSample] view.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan2D<T> GetFixed2D<T>(int field)
        where T : unmanaged
    {
        ReadOnlySpan<T> values = GetFixed<T>(field);
        return ReadOnlySpan2D<T>.DangerousCreate(in MemoryMarshal.GetReference(values), SampleCount, values.Length / SampleCount, 0);
    }

    /// <summary>Returns a fixed field as a [samples, elementsPerSample] view, by field name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">The field is variable-length or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan2D<T> GetFixed2D<T>(string name)
        where T : unmanaged => GetFixed2D<T>(_owner.Schema.GetIndex(name));

    /// <summary>Returns a variable-length field's offsets and values for all samples.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException">The field is fixed or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public VariableFieldView<T> GetVariable<T>(int field)
        where T : unmanaged
    {
        FieldSection s = Section<T>(field, variable: true);
        ReadOnlySpan<byte> raw = RawBytes;
        ReadOnlySpan<long> offsets = MemoryMarshal.Cast<byte, long>(raw.Slice(s.OffsetsOffset, (SampleCount + 1) * sizeof(long)));
        if (typeof(T) == typeof(byte) && _owner.Schema[field].ItemSize != 1)
        {
            throw new ArgumentException($"Field '{_owner.Schema[field].Name}' has {_owner.Schema[field].ItemSize}-byte elements; view it with its own element type, since offsets count elements.", nameof(field));
        }

        return new VariableFieldView<T>(offsets, MemoryMarshal.Cast<byte, T>(raw.Slice(s.DataOffset, s.DataLength)));
    }

    /// <summary>Returns a variable-length field's offsets and values for all samples, by field name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/>.</typeparam>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">The field is fixed or <typeparamref name="T"/> does not match its dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public VariableFieldView<T> GetVariable<T>(string name)
        where T : unmanaged => GetVariable<T>(_owner.Schema.GetIndex(name));

    /// <summary>Returns one sample's value of a field, fixed or variable.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/> for a fixed field.</typeparam>
    /// <param name="field">Field index.</param>
    /// <param name="index">Sample index within the chunk.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> does not match the field's dtype.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the chunk.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan<T> GetSample<T>(int field, int index)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SampleCount);
        FieldSpec spec = _owner.Schema[field];
        if (spec.IsVariable)
        {
            // Reads the sample's offsets from the chunk here, so the memory is held until they are read.
            AcquireRead();
            try
            {
                return GetVariable<T>(field)[index];
            }
            finally
            {
                ReleaseRead();
            }
        }

        int perSample = spec.BytesPerSample / Unsafe.SizeOf<T>();
        return GetFixed<T>(field).Slice(index * perSample, perSample);
    }

    /// <summary>Returns one sample's value of a field, fixed or variable, by field name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype, or <see cref="byte"/> for a fixed field.</typeparam>
    /// <param name="name">Field name.</param>
    /// <param name="index">Sample index within the chunk.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> does not match the field's dtype.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the chunk.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan<T> GetSample<T>(string name, int index)
        where T : unmanaged => GetSample<T>(_owner.Schema.GetIndex(name), index);

    /// <summary>Releases the chunk's memory; spans obtained from this lease must no longer be used. Safe to call twice, and from another thread.</summary>
    /// <remarks>A read running inside a method of the lease on another thread finishes first; the memory is released after it.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _owner.OnLeaseDisposed();
        ReleaseRead();
    }

    // Holds the memory for a read inside the lease; throws if the lease was disposed (or is being disposed).
    private void AcquireRead()
    {
        int holders = Volatile.Read(ref _holders);
        while (true)
        {
            ObjectDisposedException.ThrowIf(holders == 0 || Volatile.Read(ref _disposed) != 0, this);
            int seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return;
            }

            holders = seen;
        }
    }

    private void ReleaseRead()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            _decoded?.Release();
            _mapping?.Release();
        }
    }

    private FieldSection Section<T>(int field, bool variable)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        FieldViews.Check<T>(_owner.Schema, field, variable);
        return _sections[field];
    }
}
