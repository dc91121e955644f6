using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace ShardPack.Importers;

/// <summary>
/// Decodes a serialized <c>tf.train.Example</c> (<c>Example{1: Features{1: map&lt;string, Feature&gt;}}</c>, where
/// <c>Feature</c> is one of <c>1: BytesList</c>, <c>2: FloatList</c>, <c>3: Int64List</c>) by hand with
/// <see cref="CodedInputStream"/>, accepting packed and unpacked repeated values. Buffers are reused between records.
/// </summary>
internal sealed class TfExampleParser
{
    private static readonly uint s_field1Delimited = WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited);
    private static readonly uint s_field2Delimited = WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited);
    private static readonly uint s_field3Delimited = WireFormat.MakeTag(3, WireFormat.WireType.LengthDelimited);
    private static readonly uint s_field1Fixed32 = WireFormat.MakeTag(1, WireFormat.WireType.Fixed32);
    private static readonly uint s_field1Varint = WireFormat.MakeTag(1, WireFormat.WireType.Varint);

    private readonly Dictionary<string, Feature> _pool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Feature> _features = new(StringComparer.Ordinal);
    private byte[] _buffer = [];

    /// <summary>The kind of values list a feature holds.</summary>
    public enum Kind
    {
        /// <summary>A <c>Feature</c> with no list set.</summary>
        None,

        /// <summary><c>bytes_list</c>.</summary>
        Bytes,

        /// <summary><c>float_list</c>.</summary>
        Float,

        /// <summary><c>int64_list</c>.</summary>
        Int64,
    }

    /// <summary>Gets the features of the record last parsed, by name.</summary>
    public IReadOnlyDictionary<string, Feature> Features => _features;

    /// <summary>Parses one serialized Example held in <paramref name="buffer"/>[0..<paramref name="length"/>).</summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a valid protobuf message.</exception>
    /// <exception cref="InvalidDataException">A packed float list has a length that is not a multiple of 4.</exception>
    public void Parse(byte[] buffer, int length)
    {
        _buffer = buffer;
        _features.Clear();
        ForEachField(0, length, (tag, input, start) =>
        {
            if (tag != s_field1Delimited)
            {
                input.SkipLastField();
                return;
            }

            (int offset, int size) = Delimited(input, start);
            ForEachField(offset, size, (tag, features, featuresStart) =>
            {
                if (tag != s_field1Delimited)
                {
                    features.SkipLastField();
                    return;
                }

                (int entryOffset, int entrySize) = Delimited(features, featuresStart);
                ParseEntry(entryOffset, entrySize);
            });
        });
    }

    private void ParseEntry(int offset, int size)
    {
        string key = string.Empty;
        int valueOffset = -1, valueSize = 0;
        ForEachField(offset, size, (tag, input, start) =>
        {
            if (tag == WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited))
            {
                (int o, int n) = Delimited(input, start);
                key = Encoding.UTF8.GetString(_buffer, o, n);
            }
            else if (tag == s_field2Delimited)
            {
                (valueOffset, valueSize) = Delimited(input, start);
            }
            else
            {
                input.SkipLastField();
            }
        });

        if (!_pool.TryGetValue(key, out Feature? feature))
        {
            feature = new Feature();
            _pool.Add(key, feature);
        }

        // A repeated map key replaces the earlier entry, as in protobuf.
        feature.Reset();
        _features[key] = feature;
        if (valueOffset >= 0)
        {
            ParseFeature(valueOffset, valueSize, feature);
        }
    }

    private void ParseFeature(int offset, int size, Feature feature)
    {
        ForEachField(offset, size, (tag, input, start) =>
        {
            Kind kind = tag == s_field1Delimited ? Kind.Bytes : tag == s_field2Delimited ? Kind.Float : tag == s_field3Delimited ? Kind.Int64 : Kind.None;
            if (kind == Kind.None)
            {
                input.SkipLastField();
                return;
            }

            if (feature.Kind != kind)
            {
                // Setting another member of the oneof clears the one set before.
                feature.Reset();
                feature.Kind = kind;
            }

            (int listOffset, int listSize) = Delimited(input, start);
            ParseList(listOffset, listSize, feature);
        });
    }

    private void ParseList(int offset, int size, Feature feature)
    {
        ForEachField(offset, size, (tag, input, start) =>
        {
            switch (feature.Kind)
            {
                case Kind.Bytes when tag == s_field1Delimited:
                    (int o, int n) = Delimited(input, start);
                    feature.AddBytes(o, n);
                    break;
                case Kind.Float when tag == s_field1Delimited:
                    (int fo, int fn) = Delimited(input, start);
                    if (fn % 4 != 0)
                    {
                        throw new InvalidDataException($"a packed float list of {fn} bytes is not a multiple of 4.");
                    }

                    for (int i = 0; i < fn; i += 4)
                    {
                        feature.AddFloat(BinaryPrimitives.ReadSingleLittleEndian(_buffer.AsSpan(fo + i)));
                    }

                    break;
                case Kind.Float when tag == s_field1Fixed32:
                    feature.AddFloat(input.ReadFloat());
                    break;
                case Kind.Int64 when tag == s_field1Delimited:
                    (int io, int isz) = Delimited(input, start);
                    var packed = new CodedInputStream(_buffer, io, isz);
                    while (!packed.IsAtEnd)
                    {
                        feature.AddInt64(packed.ReadInt64());
                    }

                    break;
                case Kind.Int64 when tag == s_field1Varint:
                    feature.AddInt64(input.ReadInt64());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        });
    }

    // Calls onField for each tag of the message in _buffer[offset..offset+size), with the stream and the absolute offset of the field's value.
    private void ForEachField(int offset, int size, Action<uint, CodedInputStream, int> onField)
    {
        var input = new CodedInputStream(_buffer, offset, size);
        long origin = input.Position;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            onField(tag, input, offset + (int)(input.Position - origin));
        }
    }

    // Returns where the body of the length-delimited field just read by ReadTag lies in _buffer, and moves past it.
    private (int Offset, int Size) Delimited(CodedInputStream input, int valueStart)
    {
        long before = input.Position;
        input.SkipLastField();
        int fieldBytes = (int)(input.Position - before);
        var prefix = new CodedInputStream(_buffer, valueStart, fieldBytes);
        long origin = prefix.Position;
        int size = prefix.ReadLength();
        return (valueStart + (int)(prefix.Position - origin), size);
    }

    /// <summary>The values of one feature of the record last parsed; bytes values point into the record buffer.</summary>
    internal sealed class Feature
    {
        private float[] _floats = new float[16];
        private long[] _int64s = new long[16];
        private readonly List<(int Offset, int Length)> _bytes = [];

        /// <summary>Gets the list kind set in the record.</summary>
        public Kind Kind { get; set; }

        /// <summary>Gets the number of values of the list.</summary>
        public int Count => Kind switch { Kind.Float => FloatCount, Kind.Int64 => Int64Count, Kind.Bytes => _bytes.Count, _ => 0 };

        public int FloatCount { get; private set; }

        public int Int64Count { get; private set; }

        public ReadOnlySpan<float> Floats => _floats.AsSpan(0, FloatCount);

        public ReadOnlySpan<long> Int64s => _int64s.AsSpan(0, Int64Count);

        /// <summary>Gets the (offset, length) of each bytes value in the record buffer.</summary>
        public IReadOnlyList<(int Offset, int Length)> BytesValues => _bytes;

        public void Reset()
        {
            Kind = Kind.None;
            FloatCount = 0;
            Int64Count = 0;
            _bytes.Clear();
        }

        public void AddFloat(float value)
        {
            if (FloatCount == _floats.Length)
            {
                Array.Resize(ref _floats, _floats.Length * 2);
            }

            _floats[FloatCount++] = value;
        }

        public void AddInt64(long value)
        {
            if (Int64Count == _int64s.Length)
            {
                Array.Resize(ref _int64s, _int64s.Length * 2);
            }

            _int64s[Int64Count++] = value;
        }

        public void AddBytes(int offset, int length) => _bytes.Add((offset, length));
    }
}
