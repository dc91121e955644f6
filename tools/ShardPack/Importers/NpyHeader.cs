using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ShardPack.Importers;

/// <summary>
/// The header of a NumPy <c>.npy</c> file (format versions 1.0, 2.0 and 3.0): dtype descriptor, memory order and shape.
/// Reads with a small tolerant parser of the Python dict literal; writes exactly as <c>np.save</c> does.
/// </summary>
internal sealed class NpyHeader
{
    /// <summary>NumPy aligns the data of a saved array to this many bytes.</summary>
    public const int Alignment = 64;

    /// <summary>The longest header text accepted. NumPy's own reader refuses headers over 10,000 bytes unless told otherwise; a header of the supported dtypes needs a few hundred.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The deepest nesting of dicts, tuples and lists accepted; a valid header nests two deep.</summary>
    public const int MaxNesting = 32;

    // np.save leaves room for the growth axis to reach this many digits, so a file can be appended to in place.
    private const int GrowthAxisMaxDigits = 21;

    private static readonly byte[] s_magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private NpyHeader(string descr, bool fortranOrder, long[] shape, int dataOffset)
    {
        Descr = descr;
        FortranOrder = fortranOrder;
        Shape = shape;
        DataOffset = dataOffset;
    }

    /// <summary>Gets the dtype descriptor string, e.g. <c>&lt;f4</c>.</summary>
    public string Descr { get; }

    /// <summary>Gets whether the data is in Fortran (column-major) order.</summary>
    public bool FortranOrder { get; }

    /// <summary>Gets the array shape; empty for a 0-d array.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Gets the byte offset of the data: the whole header's length.</summary>
    public int DataOffset { get; }

    /// <summary>Reads and validates the header at the start of <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">Not an .npy header; the message names <paramref name="path"/> and the byte offset.</exception>
    public static NpyHeader Read(Stream stream, string path)
    {
        Span<byte> prefix = stackalloc byte[12];
        int got = stream.ReadAtLeast(prefix[..10], 10, throwOnEndOfStream: false);
        if (got < 10 || !prefix[..6].SequenceEqual(s_magic))
        {
            throw DataErrors.Create(got < 10 ? "file too short for an .npy header (need 10 bytes)." : "not an .npy file: the magic \\x93NUMPY is missing.", path, byteOffset: 0);
        }

        byte major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw DataErrors.Create($"unsupported .npy format version {major}.{minor}; 1.0, 2.0 and 3.0 are supported.", path, byteOffset: 6);
        }

        long headerLength;
        int textOffset;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
            textOffset = 10;
        }
        else
        {
            if (stream.ReadAtLeast(prefix[10..12], 2, throwOnEndOfStream: false) < 2)
            {
                throw DataErrors.Create("file too short for an .npy 2.0/3.0 header length.", path, byteOffset: 8);
            }

            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..12]);
            textOffset = 12;
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw DataErrors.Create($"header length {headerLength} is more than the {MaxHeaderBytes} bytes a header of a supported dtype needs; the file is corrupt or not a plain numeric array.", path, byteOffset: 8);
        }

        var text = new byte[headerLength];
        int read = stream.ReadAtLeast(text, text.Length, throwOnEndOfStream: false);
        if (read < text.Length)
        {
            throw DataErrors.Create($"header truncated: it declares {headerLength} bytes but the file ends after {read}.", path, byteOffset: textOffset + read);
        }

        Encoding encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var parser = new LiteralParser(encoding.GetString(text), path, textOffset);
        Dictionary<string, object> dict = parser.ParseHeaderDict();

        string descr = dict.TryGetValue("descr", out object? d) && d is string s
            ? s
            : throw DataErrors.Create(d is null ? "header has no 'descr'." : $"unsupported dtype descr {Describe(d)} (structured dtypes are not supported).", path, byteOffset: textOffset);
        bool fortran = dict.TryGetValue("fortran_order", out object? f) && f is bool b
            ? b
            : throw DataErrors.Create("header has no boolean 'fortran_order'.", path, byteOffset: textOffset);
        if (!dict.TryGetValue("shape", out object? sh) || sh is not List<object> dims || !dims.All(x => x is long n && n >= 0))
        {
            throw DataErrors.Create("header has no 'shape' tuple of non-negative integers.", path, byteOffset: textOffset);
        }

        return new NpyHeader(descr, fortran, [.. dims.Cast<long>()], checked(textOffset + (int)headerLength));
    }

    /// <summary>Builds a C-order header the way <c>np.save</c> writes it: version 1.0 (2.0 when too long), padded with spaces and a newline to a multiple of 64 bytes.</summary>
    public static byte[] Build(string descr, IReadOnlyList<long> shape)
    {
        string shapeText = shape.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
            : "(" + string.Join(", ", shape.Select(x => x.ToString(CultureInfo.InvariantCulture))) + ")";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        if (shape.Count > 0)
        {
            dict += new string(' ', Math.Max(0, GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length));
        }

        byte[] text = Encoding.Latin1.GetBytes(dict);
        int lengthBytes = 2;
        int padding = Alignment - ((s_magic.Length + 2 + lengthBytes + text.Length + 1) % Alignment);
        if (text.Length + 1 + padding > ushort.MaxValue)
        {
            lengthBytes = 4;
            padding = Alignment - ((s_magic.Length + 2 + lengthBytes + text.Length + 1) % Alignment);
        }

        int prefix = s_magic.Length + 2 + lengthBytes;
        var header = new byte[prefix + text.Length + padding + 1];
        s_magic.CopyTo(header, 0);
        header[6] = lengthBytes == 2 ? (byte)1 : (byte)2;
        header[7] = 0;
        if (lengthBytes == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(text.Length + padding + 1));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)(text.Length + padding + 1));
        }

        text.CopyTo(header, prefix);
        header.AsSpan(prefix + text.Length, padding).Fill((byte)' ');
        header[^1] = (byte)'\n';
        return header;
    }

    /// <summary>Maps a descr such as <c>&lt;f4</c>, <c>&gt;i4</c>, <c>|u1</c> or <c>|b1</c> to a dtype; bools become u8.</summary>
    /// <param name="descr">The descriptor.</param>
    /// <param name="dtype">The element type.</param>
    /// <param name="swap">Whether elements are big-endian and must be byte-swapped.</param>
    public static bool TryParseDescr(string descr, out DType dtype, out bool swap)
    {
        dtype = default;
        swap = false;
        if (descr.Length < 3 || descr[0] is not ('<' or '>' or '=' or '|'))
        {
            return false;
        }

        DType? parsed = descr[1..] switch
        {
            "b1" or "u1" => DType.U8,
            "i1" => DType.I8,
            "u2" => DType.U16,
            "i2" => DType.I16,
            "u4" => DType.U32,
            "i4" => DType.I32,
            "u8" => DType.U64,
            "i8" => DType.I64,
            "f2" => DType.F16,
            "f4" => DType.F32,
            "f8" => DType.F64,
            _ => null,
        };
        if (parsed is not { } p)
        {
            return false;
        }

        dtype = p;
        swap = descr[0] == '>' && DTypeInfo.GetItemSize(p) > 1;
        return true;
    }

    /// <summary>Returns the little-endian descr of <paramref name="dtype"/>, or null when NumPy has no such type (bf16).</summary>
    public static string? GetDescr(DType dtype) => dtype switch
    {
        DType.U8 => "|u1",
        DType.I8 => "|i1",
        DType.U16 => "<u2",
        DType.I16 => "<i2",
        DType.U32 => "<u4",
        DType.I32 => "<i4",
        DType.U64 => "<u8",
        DType.I64 => "<i8",
        DType.F16 => "<f2",
        DType.F32 => "<f4",
        DType.F64 => "<f8",
        _ => null,
    };

    private static string Describe(object value) => value switch
    {
        string s => $"'{s}'",
        List<object> => "(a list or tuple)",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?",
    };

    /// <summary>Parses the subset of Python literals an .npy header uses: dicts, strings, ints, booleans, tuples and lists.</summary>
    private sealed class LiteralParser(string text, string path, int baseOffset)
    {
        private int _pos;
        private int _depth;

        public Dictionary<string, object> ParseHeaderDict()
        {
            SkipSpace();
            object value = ParseValue();
            SkipSpace();
            if (_pos != text.Length)
            {
                throw Error("unexpected text after the header dict.");
            }

            return value as Dictionary<string, object> ?? throw Error("the header is not a dict.", 0);
        }

        private object ParseValue()
        {
            SkipSpace();
            if (_pos >= text.Length)
            {
                throw Error("header ends where a value was expected.");
            }

            char c = text[_pos];
            switch (c)
            {
                case '{':
                    Enter();
                    return ParseDict();
                case '(':
                    Enter();
                    return ParseSequence(')');
                case '[':
                    Enter();
                    return ParseSequence(']');
                case '\'' or '"':
                    return ParseString();
                default:
                    if (c == '-' || char.IsAsciiDigit(c))
                    {
                        return ParseInteger();
                    }

                    int start = _pos;
                    while (_pos < text.Length && char.IsAsciiLetterOrDigit(text[_pos]))
                    {
                        _pos++;
                    }

                    return text[start.._pos] switch
                    {
                        "True" => true,
                        "False" => false,
                        "None" => "None",
                        _ => throw Error($"unexpected '{c}' in the header dict.", start),
                    };
            }
        }

        private Dictionary<string, object> ParseDict()
        {
            var dict = new Dictionary<string, object>(StringComparer.Ordinal);
            _pos++;
            while (true)
            {
                SkipSpace();
                if (Peek() == '}')
                {
                    _pos++;
                    _depth--;
                    return dict;
                }

                int keyAt = _pos;
                if (ParseValue() is not string key)
                {
                    throw Error("a header dict key is not a string.", keyAt);
                }

                SkipSpace();
                Expect(':');
                dict[key] = ParseValue();
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                }
                else if (Peek() != '}')
                {
                    throw Error("expected ',' or '}' in the header dict.");
                }
            }
        }

        private List<object> ParseSequence(char close)
        {
            var items = new List<object>();
            _pos++;
            while (true)
            {
                SkipSpace();
                if (Peek() == close)
                {
                    _pos++;
                    _depth--;
                    return items;
                }

                items.Add(ParseValue());
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                }
                else if (Peek() != close)
                {
                    throw Error($"expected ',' or '{close}' in the header.");
                }
            }
        }

        private string ParseString()
        {
            char quote = text[_pos++];
            var sb = new StringBuilder();
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (text[_pos] == '\\' && _pos + 1 < text.Length)
                {
                    _pos++;
                }

                sb.Append(text[_pos++]);
            }

            if (_pos >= text.Length)
            {
                throw Error("unterminated string in the header dict.");
            }

            _pos++;
            return sb.ToString();
        }

        private long ParseInteger()
        {
            int start = _pos;
            if (text[_pos] == '-')
            {
                _pos++;
            }

            while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
            {
                _pos++;
            }

            string digits = text[start.._pos];
            if (_pos < text.Length && text[_pos] is 'L' or 'l')
            {
                _pos++; // Python 2 long suffix, written by old NumPy versions.
            }

            return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw Error($"'{digits}' is not an integer.", start);
        }

        // The parser recurses once per level, so the depth is capped to keep a crafted header from overflowing the stack.
        private void Enter()
        {
            if (++_depth > MaxNesting)
            {
                throw Error($"values nest more than {MaxNesting} levels deep; a header nests two.");
            }
        }

        private char Peek() => _pos < text.Length ? text[_pos] : throw Error("the header dict is not closed.");

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw Error($"expected '{c}' in the header dict.");
            }

            _pos++;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private InvalidDataException Error(string problem, int? at = null) =>
            DataErrors.Create($"bad .npy header: {problem}", path, byteOffset: baseOffset + (at ?? _pos));
    }
}
