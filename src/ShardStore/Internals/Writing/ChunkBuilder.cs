using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance.Buffers;
using ShardStore.Format;

namespace ShardStore.Internals.Writing;

/// <summary>Collects samples field by field and lays them out as raw struct-of-arrays chunks.</summary>
/// <remarks>
/// When every field is fixed-shape, the number of samples in a chunk follows from the target size alone, so each
/// value is written straight to its place in the chunk layout and a full chunk is sealed without a copy. When a
/// field is variable-length, each field's values are staged in a buffer of their own and copied into the layout
/// when the chunk is sealed. Both give the same bytes for the same samples.
/// </remarks>
internal abstract class ChunkBuilder : IDisposable
{
    private readonly bool[] _written;
    private int _writtenCount;

    private ChunkBuilder(Schema schema)
    {
        Schema = schema;
        _written = new bool[schema.Count];
    }

    /// <summary>Gets the number of committed samples.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the raw size of a chunk holding every committed sample.</summary>
    public abstract long RawSize { get; }

    /// <summary>Gets the number of samples in every chunk but the last when they are laid out in place; 0 when values are staged.</summary>
    public virtual int SamplesPerChunk => 0;

    /// <summary>Gets whether the current sample has some fields written but is not committed.</summary>
    public bool HasPartialSample => _writtenCount > 0;

    protected Schema Schema { get; }

    /// <summary>Creates a builder that lays values out in place when every field is fixed-shape, unless <paramref name="staged"/> is set.</summary>
    public static ChunkBuilder Create(Schema schema, int chunkTargetBytes, bool staged = false)
    {
        if (!staged && schema.Fields.All(f => !f.IsVariable) && ChunkLayout.ComputeRawSize(schema, 1, default) <= Array.MaxLength)
        {
            return new DirectBuilder(schema, chunkTargetBytes);
        }

        return new StagedBuilder(schema, chunkTargetBytes);
    }

    public bool IsFieldWritten(int field) => _written[field];

    /// <summary>Returns the span the current sample's value bytes for <paramref name="field"/> go into.</summary>
    public Span<byte> AppendField(int field, int byteLength)
    {
        _written[field] = true;
        _writtenCount++;
        return GetFieldSpan(field, byteLength);
    }

    /// <summary>Returns the first field the current sample has not written, or -1.</summary>
    public int FirstMissingField() => Array.IndexOf(_written, false);

    public void CommitSample()
    {
        OnCommitSample();
        Array.Clear(_written);
        _writtenCount = 0;
        Count++;
        OnCommitted();
    }

    /// <summary>Makes room for up to <paramref name="maxSamples"/> whole samples in the current chunk; returns how many fit (at least 1).</summary>
    /// <exception cref="NotSupportedException">Values are staged (<see cref="SamplesPerChunk"/> is 0).</exception>
    public virtual int Reserve(int maxSamples) => throw new NotSupportedException();

    /// <summary>Returns where <paramref name="field"/>'s values of <paramref name="samples"/> reserved samples go.</summary>
    public virtual Span<byte> GetReserved(int field, int samples) => throw new NotSupportedException();

    /// <summary>Commits <paramref name="samples"/> reserved samples.</summary>
    public void CommitReserved(int samples)
    {
        Count += samples;
        OnCommitted();
    }

    /// <summary>Lays out the first <paramref name="samples"/> committed samples as a raw chunk and removes them.</summary>
    public MemoryOwner<byte> Seal(int samples)
    {
        MemoryOwner<byte> raw = SealCore(samples);
        Count -= samples;
        return raw;
    }

    public abstract void Dispose();

    protected abstract Span<byte> GetFieldSpan(int field, int byteLength);

    protected virtual void OnCommitSample()
    {
    }

    protected virtual void OnCommitted()
    {
    }

    protected abstract MemoryOwner<byte> SealCore(int samples);

    /// <summary>Writes samples straight into the chunk layout; every field is fixed-shape.</summary>
    private sealed class DirectBuilder : ChunkBuilder
    {
        // A layout starts with room for about this many bytes and doubles up to the chunk's sample count, so a
        // large chunk target does not cost its full size for a small dataset.
        private const int InitialLayoutBytes = 4 << 20;

        private readonly int[] _bytesPerSample;
        private readonly int[] _starts; // where each field's section starts in a layout for _capacity samples
        private readonly int _samplesPerChunk;
        private int _capacity;
        private MemoryOwner<byte>? _layout;

        public DirectBuilder(Schema schema, int chunkTargetBytes)
            : base(schema)
        {
            _bytesPerSample = [.. schema.Fields.Select(f => f.BytesPerSample)];
            _starts = new int[schema.Count];
            long perSample = _bytesPerSample.Sum(b => (long)b);

            // The most samples whose layout fits the target (at least one): the staged builder cuts at the same
            // count, as a chunk closes before it would exceed the target.
            long n = Math.Max(1, chunkTargetBytes / perSample);
            while (n > 1 && LayoutSize(n) > chunkTargetBytes)
            {
                n--;
            }

            while (LayoutSize(n + 1) <= chunkTargetBytes)
            {
                n++;
            }

            _samplesPerChunk = (int)n;
            SetCapacity((int)Math.Min(n, Math.Max(1, InitialLayoutBytes / perSample)));
        }

        public override long RawSize => LayoutSize(Count);

        public override int SamplesPerChunk => _samplesPerChunk;

        private Span<byte> Layout => (_layout ??= MemoryOwner<byte>.Allocate((int)LayoutSize(_capacity))).Span;

        public override int Reserve(int maxSamples)
        {
            int samples = Math.Min(maxSamples, _samplesPerChunk - Count);
            if (Count + samples > _capacity)
            {
                Grow(Count + samples);
            }

            return samples;
        }

        public override Span<byte> GetReserved(int field, int samples) =>
            Layout.Slice(_starts[field] + (Count * _bytesPerSample[field]), samples * _bytesPerSample[field]);

        public override void Dispose()
        {
            _layout?.Dispose();
            _layout = null;
        }

        protected override Span<byte> GetFieldSpan(int field, int byteLength) => GetReserved(field, 1);

        // Growing after a commit, never while a sample is half written, keeps a free slot for the next sample.
        protected override void OnCommitted()
        {
            if (Count == _capacity && Count < _samplesPerChunk)
            {
                Grow(Count + 1);
            }
        }

        protected override MemoryOwner<byte> SealCore(int samples)
        {
            if (samples != Count || samples == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(samples));
            }

            Span<byte> layout = Layout;
            int position = 0;
            for (int f = 0; f < _starts.Length; f++)
            {
                // Moving sections down in field order never overwrites one not yet moved: each starts at or after
                // where the previous one ends, for any sample count.
                int start = (int)FormatConstants.AlignUp(position, FormatConstants.SectionAlignment);
                int length = samples * _bytesPerSample[f];
                layout[position..start].Clear();
                if (start != _starts[f])
                {
                    layout.Slice(_starts[f], length).CopyTo(layout[start..]);
                }

                position = start + length;
            }

            MemoryOwner<byte> raw = _layout!;
            _layout = null;
            return position < raw.Length ? raw.Slice(0, position) : raw;
        }

        private long LayoutSize(long count) => ChunkLayout.ComputeRawSize(Schema, count, default);

        private void Grow(int atLeast)
        {
            MemoryOwner<byte>? old = _layout;
            int[] oldStarts = [.. _starts];
            SetCapacity((int)Math.Min(_samplesPerChunk, Math.Max(atLeast, (long)_capacity * 2)));
            if (old is not null)
            {
                _layout = MemoryOwner<byte>.Allocate((int)LayoutSize(_capacity));
                for (int f = 0; f < _starts.Length; f++)
                {
                    int length = Count * _bytesPerSample[f];
                    old.Span.Slice(oldStarts[f], length).CopyTo(_layout.Span[_starts[f]..]);
                }

                old.Dispose();
            }
        }

        private void SetCapacity(int capacity)
        {
            _capacity = capacity;
            long position = 0;
            for (int f = 0; f < _starts.Length; f++)
            {
                position = FormatConstants.AlignUp(position, FormatConstants.SectionAlignment);
                _starts[f] = (int)position;
                position += (long)capacity * _bytesPerSample[f];
            }
        }
    }

    /// <summary>Stages each field's values in a buffer of its own and copies them into the layout when sealed.</summary>
    private sealed class StagedBuilder : ChunkBuilder
    {
        private readonly GrowableBuffer[] _values;
        private readonly List<long>?[] _elementEnds; // variable fields: cumulative element count after each committed sample
        private readonly long[] _elementTotals;
        private readonly int[] _lastSampleStart; // per field: value bytes before the last committed sample

        public StagedBuilder(Schema schema, int chunkTargetBytes)
            : base(schema)
        {
            _values = new GrowableBuffer[schema.Count];
            _elementEnds = new List<long>?[schema.Count];
            _elementTotals = new long[schema.Count];
            _lastSampleStart = new int[schema.Count];
            for (int f = 0; f < schema.Count; f++)
            {
                _values[f] = new GrowableBuffer(Math.Min(chunkTargetBytes, 1 << 20));
                _elementEnds[f] = schema[f].IsVariable ? [] : null;
            }
        }

        public override long RawSize => ChunkLayout.ComputeRawSize(Schema, Count, _elementTotals);

        public override void Dispose()
        {
            foreach (GrowableBuffer b in _values)
            {
                b.Dispose();
            }
        }

        protected override Span<byte> GetFieldSpan(int field, int byteLength) => _values[field].Append(byteLength);

        protected override void OnCommitSample()
        {
            for (int f = 0; f < Schema.Count; f++)
            {
                GrowableBuffer values = _values[f];
                List<long>? ends = _elementEnds[f];
                if (ends is not null)
                {
                    int sampleBytes = values.Length - (ends.Count == 0 ? 0 : (int)(ends[^1] * Schema[f].ItemSize));
                    _lastSampleStart[f] = values.Length - sampleBytes;
                    _elementTotals[f] += sampleBytes / Schema[f].ItemSize;
                    ends.Add(_elementTotals[f]);
                }
                else
                {
                    _lastSampleStart[f] = values.Length - Schema[f].BytesPerSample;
                }
            }
        }

        /// <summary>Lays out the first <paramref name="samples"/> committed samples (all, or all but the last).</summary>
        protected override MemoryOwner<byte> SealCore(int samples)
        {
            if (samples != Count && samples != Count - 1)
            {
                throw new ArgumentOutOfRangeException(nameof(samples));
            }

            bool keepLast = samples < Count;
            Span<long> sealedTotals = stackalloc long[Schema.Count];
            for (int f = 0; f < Schema.Count; f++)
            {
                if (_elementEnds[f] is { } ends)
                {
                    sealedTotals[f] = samples == 0 ? 0 : ends[samples - 1];
                }
            }

            long rawSize = ChunkLayout.ComputeRawSize(Schema, samples, sealedTotals);
            var owner = MemoryOwner<byte>.Allocate((int)rawSize);
            Span<byte> raw = owner.Span;
            int position = 0;
            for (int f = 0; f < Schema.Count; f++)
            {
                position = Pad(raw, position);
                int sealedBytes = keepLast ? _lastSampleStart[f] : _values[f].Length;
                if (_elementEnds[f] is { } ends)
                {
                    Span<long> offsets = MemoryMarshal.Cast<byte, long>(raw.Slice(position, (samples + 1) * sizeof(long)));
                    offsets[0] = 0;
                    for (int i = 0; i < samples; i++)
                    {
                        offsets[i + 1] = ends[i];
                    }

                    position = Pad(raw, position + ((samples + 1) * sizeof(long)));
                    ends.RemoveRange(0, samples);
                    for (int i = 0; i < ends.Count; i++)
                    {
                        ends[i] -= sealedTotals[f];
                    }

                    _elementTotals[f] -= sealedTotals[f];
                }

                _values[f].WrittenSpan[..sealedBytes].CopyTo(raw[position..]);
                position += sealedBytes;
                _values[f].RemoveFront(sealedBytes);
                _lastSampleStart[f] = 0;
            }

            return owner;
        }

        private static int Pad(Span<byte> raw, int position)
        {
            int aligned = (int)FormatConstants.AlignUp(position, FormatConstants.SectionAlignment);
            raw[position..aligned].Clear();
            return aligned;
        }
    }
}
