using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance.Buffers;
using ShardStore.Format;

namespace ShardStore.Internals;

/// <summary>Collects samples field by field and lays them out as raw struct-of-arrays chunks.</summary>
internal sealed class ChunkBuilder : IDisposable
{
    private readonly Schema _schema;
    private readonly GrowableBuffer[] _values;
    private readonly List<long>?[] _elementEnds; // variable fields: cumulative element count after each committed sample
    private readonly long[] _elementTotals;
    private readonly int[] _lastSampleStart; // per field: value bytes before the last committed sample
    private readonly bool[] _written;
    private int _writtenCount;

    public ChunkBuilder(Schema schema, int chunkTargetBytes)
    {
        _schema = schema;
        _values = new GrowableBuffer[schema.Count];
        _elementEnds = new List<long>?[schema.Count];
        _elementTotals = new long[schema.Count];
        _lastSampleStart = new int[schema.Count];
        _written = new bool[schema.Count];
        for (int f = 0; f < schema.Count; f++)
        {
            _values[f] = new GrowableBuffer(Math.Min(chunkTargetBytes, 1 << 20));
            _elementEnds[f] = schema[f].IsVariable ? [] : null;
        }
    }

    /// <summary>Gets the number of committed samples.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the raw size of a chunk holding every committed sample.</summary>
    public long RawSize => ChunkLayout.ComputeRawSize(_schema, Count, _elementTotals);

    public bool IsFieldWritten(int field) => _written[field];

    /// <summary>Gets whether the current sample has some fields written but is not committed.</summary>
    public bool HasPartialSample => _writtenCount > 0;

    /// <summary>Returns the span the current sample's value bytes for <paramref name="field"/> go into.</summary>
    public Span<byte> AppendField(int field, int byteLength)
    {
        _written[field] = true;
        _writtenCount++;
        return _values[field].Append(byteLength);
    }

    /// <summary>Returns the first field the current sample has not written, or -1.</summary>
    public int FirstMissingField() => Array.IndexOf(_written, false);

    public void CommitSample()
    {
        for (int f = 0; f < _schema.Count; f++)
        {
            GrowableBuffer values = _values[f];
            List<long>? ends = _elementEnds[f];
            if (ends is not null)
            {
                int sampleBytes = values.Length - (ends.Count == 0 ? 0 : (int)(ends[^1] * _schema[f].ItemSize));
                _lastSampleStart[f] = values.Length - sampleBytes;
                _elementTotals[f] += sampleBytes / _schema[f].ItemSize;
                ends.Add(_elementTotals[f]);
            }
            else
            {
                _lastSampleStart[f] = values.Length - _schema[f].BytesPerSample;
            }
        }

        Array.Clear(_written);
        _writtenCount = 0;
        Count++;
    }

    /// <summary>Lays out the first <paramref name="samples"/> committed samples (all, or all but the last) as a raw chunk and removes them.</summary>
    public MemoryOwner<byte> Seal(int samples)
    {
        if (samples != Count && samples != Count - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(samples));
        }

        bool keepLast = samples < Count;
        long[] sealedTotals = new long[_schema.Count];
        for (int f = 0; f < _schema.Count; f++)
        {
            if (_elementEnds[f] is { } ends)
            {
                sealedTotals[f] = samples == 0 ? 0 : ends[samples - 1];
            }
        }

        long rawSize = ChunkLayout.ComputeRawSize(_schema, samples, sealedTotals);
        var owner = MemoryOwner<byte>.Allocate((int)rawSize);
        Span<byte> raw = owner.Span;
        int position = 0;
        for (int f = 0; f < _schema.Count; f++)
        {
            FieldSpec field = _schema[f];
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

        Count -= samples;
        return owner;
    }

    public void Dispose()
    {
        foreach (GrowableBuffer b in _values)
        {
            b.Dispose();
        }
    }

    private static int Pad(Span<byte> raw, int position)
    {
        int aligned = (int)FormatConstants.AlignUp(position, FormatConstants.SectionAlignment);
        raw[position..aligned].Clear();
        return aligned;
    }
}
