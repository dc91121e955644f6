using System.Buffers.Binary;
using System.Text;

namespace ShardStore.Testing.Fuzzing;

/// <summary>
/// Mutates valid inputs into hostile ones, deterministically from the generator it is given: bit flips, bytes set to
/// boundary values, byte inserts and deletes, truncation, splices of two inputs, copied and repeated runs (huge
/// counts of rows, fields, records, table entries), format tokens and extreme numbers inserted, number tokens
/// replaced by extreme literals, quoted strings replaced, deep nesting, and huge or boundary lengths written over
/// the input (2, 4 or 8 bytes little-endian, or a protobuf varint). Positions are drawn more often inside the
/// focus ranges given (headers, tables).
/// </summary>
internal sealed class Mutator
{
    private const int Kinds = 14;

    private static readonly string[] s_literals =
    [
        "1e400", "-1e400", "-0", "0", "-1", "1", "1.5", "1E2", "1e308", "-1e308", "2147483647", "2147483648", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "NaN", "Infinity",
        "-Infinity", "1e-400", "0x10", "+1", "--1", "1.", ".5", "1e", "65504", "65520", "3.4028236e38",
        "99999999999999999999999999999999999999999999", "0.000000000000000000000000000000000000000000001",
        "null", "true", "\"\"", "[]", "{}",
    ];

    private static readonly ulong[] s_integers =
    [
        0, 1, 2, 63, 64, 0x7F, 0x80, 0xFF, 0x100, 4095, 4096, 4097, 0xFFFF, 0x10000, 44_000_000, 0x7FFFFFC7, 0x7FFFFFFF,
        0x80000000, 0xFFFFFFFF, 0x100000000, 1UL << 30, (1UL << 30) + 1, 1UL << 40, 1UL << 62, long.MaxValue - 4095,
        long.MaxValue, 1UL << 63, ulong.MaxValue - 0x7FFFFFFF, ulong.MaxValue,
    ];

    private static readonly string[] s_strings =
    [
        string.Empty, "\\u0000\\\"\\\\/\\b\\f\\n\\r\\t", "..\\/..\\/etc\\/passwd", "../../etc/passwd", "\u00e9\U0001F600\u200b",
    ];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _tokens;

    /// <summary>Creates a mutator drawing from <paramref name="random"/>; <paramref name="tokens"/> (see <see cref="Tokens"/>) are format words it may insert.</summary>
    public Mutator(Random random, IReadOnlyList<byte[]>? tokens = null)
    {
        _random = random;
        _tokens = tokens ?? [];
    }

    /// <summary>Returns the format's own words (e.g. <c>"|x "</c>, <c>"'shape'"</c>) as the bytes a mutator inserts.</summary>
    public static IReadOnlyList<byte[]> Tokens(params string[] formatWords) => [.. formatWords.Select(Encoding.UTF8.GetBytes)];

    /// <summary>Returns a mutant of one of <paramref name="corpus"/>, spliced with the others at times.</summary>
    public byte[] Next(IReadOnlyList<byte[]> corpus) => Mutate(corpus[_random.Next(corpus.Count)], [], corpus);

    /// <summary>Applies one to four mutations to a copy of <paramref name="input"/>.</summary>
    /// <param name="input">A valid input.</param>
    /// <param name="focus">Byte ranges where positions are drawn more often; empty for none.</param>
    /// <param name="corpus">Other valid inputs to splice with; empty to splice the input with itself.</param>
    public byte[] Mutate(byte[] input, IReadOnlyList<Range> focus, IReadOnlyList<byte[]>? corpus = null)
    {
        var data = new List<byte>(input);
        int count = 1 + _random.Next(4);
        for (int i = 0; i < count; i++)
        {
            MutateOnce(data, focus, corpus ?? []);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<Range> focus, IReadOnlyList<byte[]> corpus)
    {
        switch (_random.Next(Kinds))
        {
            case 0:
            case 1:
                FlipBits(data, focus);
                break;
            case 2:
                SetByte(data, focus);
                break;
            case 3:
            case 4:
                WriteInteger(data, focus);
                break;
            case 5:
                data.InsertRange(Position(data.Count + 1, focus), RandomBytes(1 + _random.Next(16)));
                break;
            case 6:
                InsertToken(data, focus);
                break;
            case 7:
                Delete(data, focus);
                break;
            case 8:
                if (data.Count > 0)
                {
                    int keep = _random.Next(data.Count);
                    data.RemoveRange(keep, data.Count - keep);
                }

                break;
            case 9:
                Splice(data, corpus);
                break;
            case 10:
                CopyRun(data, focus);
                break;
            case 11:
                Repeat(data, focus);
                break;
            case 12:
                if (_random.Next(2) == 0)
                {
                    ReplaceNumber(data);
                }
                else
                {
                    ReplaceString(data);
                }

                break;
            default:
                Nest(data);
                break;
        }
    }

    private int Position(int length, IReadOnlyList<Range> focus)
    {
        if (length <= 1)
        {
            return 0;
        }

        if (focus.Count > 0 && _random.Next(10) < 7)
        {
            (int offset, int size) = focus[_random.Next(focus.Count)].GetOffsetAndLength(int.MaxValue);
            int start = Math.Min(offset, length - 1);
            return start + _random.Next(Math.Max(1, Math.Min(size, length - start)));
        }

        return _random.Next(length);
    }

    private void FlipBits(List<byte> data, IReadOnlyList<Range> focus)
    {
        if (data.Count == 0)
        {
            return;
        }

        int flips = 1 + _random.Next(_random.Next(2) == 0 ? 1 : 8);
        for (int i = 0; i < flips; i++)
        {
            data[Position(data.Count, focus)] ^= (byte)(1 << _random.Next(8));
        }
    }

    private void SetByte(List<byte> data, IReadOnlyList<Range> focus)
    {
        if (data.Count > 0)
        {
            data[Position(data.Count, focus)] = (byte)(_random.Next(5) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, 3 => 0x80, _ => _random.Next(256) });
        }
    }

    // A huge or boundary integer written over the input: 2, 4 or 8 bytes little-endian (at an aligned offset half of
    // the time, where a format's fields are), or a protobuf varint; appended when the input is too short.
    private void WriteInteger(List<byte> data, IReadOnlyList<Range> focus)
    {
        ulong value = s_integers[_random.Next(s_integers.Length)];
        Span<byte> encoded = stackalloc byte[10];
        int size;
        switch (_random.Next(4))
        {
            case 0:
                BinaryPrimitives.WriteUInt16LittleEndian(encoded, (ushort)value);
                size = 2;
                break;
            case 1:
                BinaryPrimitives.WriteUInt32LittleEndian(encoded, (uint)value);
                size = 4;
                break;
            case 2:
                BinaryPrimitives.WriteUInt64LittleEndian(encoded, value);
                size = 8;
                break;
            default:
                size = 0;
                do
                {
                    encoded[size++] = (byte)((value & 0x7F) | (value > 0x7F ? 0x80u : 0));
                    value >>= 7;
                }
                while (value != 0);
                break;
        }

        if (data.Count < size)
        {
            data.AddRange(encoded[..size]);
            return;
        }

        int at = Math.Min(Position(data.Count, focus), data.Count - size);
        if (size is 2 or 4 or 8 && _random.Next(2) == 0)
        {
            at &= ~(size - 1);
        }

        for (int i = 0; i < size; i++)
        {
            data[at + i] = encoded[i];
        }
    }

    // A format word or an extreme number.
    private void InsertToken(List<byte> data, IReadOnlyList<Range> focus)
    {
        byte[] token = _tokens.Count > 0 && _random.Next(2) == 0
            ? _tokens[_random.Next(_tokens.Count)]
            : Encoding.UTF8.GetBytes(s_literals[_random.Next(s_literals.Length)]);
        data.InsertRange(Position(data.Count + 1, focus), token);
    }

    private void Delete(List<byte> data, IReadOnlyList<Range> focus)
    {
        if (data.Count == 0)
        {
            return;
        }

        int at = Position(data.Count, focus);
        data.RemoveRange(at, 1 + _random.Next(Math.Min(64, data.Count - at)));
    }

    // The start of the input joined to the end of another corpus input (or of itself).
    private void Splice(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        byte[] other = corpus.Count > 0 ? corpus[_random.Next(corpus.Count)] : [.. data];
        int keep = _random.Next(data.Count + 1);
        data.RemoveRange(keep, data.Count - keep);
        data.AddRange(other.AsSpan(_random.Next(other.Length + 1)));
    }

    // Copies a run from elsewhere in the input over (or into) another place.
    private void CopyRun(List<byte> data, IReadOnlyList<Range> focus)
    {
        if (data.Count < 2)
        {
            return;
        }

        int from = _random.Next(data.Count);
        byte[] run = [.. data.GetRange(from, Math.Min(data.Count - from, 1 + _random.Next(128)))];
        int to = Position(data.Count, focus);
        if (_random.Next(2) == 0)
        {
            data.InsertRange(to, run);
        }
        else
        {
            for (int i = 0; i < run.Length && to + i < data.Count; i++)
            {
                data[to + i] = run[i];
            }
        }
    }

    // Repeats a run in place, once or many times: a repeated table entry or JSON member, huge counts of rows, fields, values or records.
    private void Repeat(List<byte> data, IReadOnlyList<Range> focus)
    {
        if (data.Count == 0)
        {
            return;
        }

        int at = Position(data.Count, focus);
        byte[] run = [.. data.GetRange(at, Math.Min(data.Count - at, 1 + _random.Next(96)))];
        int times = _random.Next(3) switch { 0 => 1, 1 => 2 + _random.Next(30), _ => 2000 };
        var repeated = new List<byte>(run.Length * times);
        for (int i = 0; i < times; i++)
        {
            repeated.AddRange(run);
        }

        data.InsertRange(at, repeated);
    }

    // Replaces a number token (digits, '.', 'e', '-') with an extreme literal.
    private void ReplaceNumber(List<byte> data)
    {
        List<(int Start, int Length)> numbers = Runs(data, b => char.IsAsciiDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'e');
        (int start, int length) = numbers.Count > 0 ? numbers[_random.Next(numbers.Count)] : (_random.Next(data.Count + 1), 0);
        data.RemoveRange(start, length);
        data.InsertRange(start, Encoding.UTF8.GetBytes(s_literals[_random.Next(s_literals.Length)]));
    }

    // Replaces the text between two quotes: empty, 100,000 characters, escapes, invalid UTF-8, a path out, non-ASCII.
    private void ReplaceString(List<byte> data)
    {
        var quotes = new List<int>();
        for (int i = 0; i < data.Count; i++)
        {
            if (data[i] is (byte)'"' or (byte)'\'')
            {
                quotes.Add(i);
            }
        }

        if (quotes.Count < 2)
        {
            return;
        }

        int q = _random.Next(quotes.Count - 1);
        int start = quotes[q] + 1;
        byte[] replacement = _random.Next(4) switch
        {
            0 => Encoding.UTF8.GetBytes(new string('a', 1 + _random.Next(100_000))),
            1 => [0xC3, 0x28, 0xFF, 0xFE],
            _ => Encoding.UTF8.GetBytes(s_strings[_random.Next(s_strings.Length)]),
        };
        data.RemoveRange(start, quotes[q + 1] - start);
        data.InsertRange(start, replacement);
    }

    // Deep nesting: up to 100,000 openers ('[', '(', '{', '"' or '{"a":') and a value, closed or not, after a ':' (a
    // JSON value position) when there is one, else anywhere.
    private void Nest(List<byte> data)
    {
        int depth = _random.Next(5) switch { 0 => 1 + _random.Next(200), 1 => 17, 2 => 1000, 3 => 20_000, _ => 100_000 };
        (string open, string close) = _random.Next(5) switch { 0 => ("[", "]"), 1 => ("(", ")"), 2 => ("{", "}"), 3 => ("\"", "\""), _ => ("{\"a\":", "}") };
        var nested = new StringBuilder((open.Length + close.Length) * depth);
        nested.Insert(0, open, depth).Append('1');
        if (_random.Next(2) == 0)
        {
            nested.Insert(nested.Length, close, depth);
        }

        List<(int Start, int Length)> colons = Runs(data, b => b == (byte)':');
        int at = colons.Count > 0 && _random.Next(4) != 0 ? colons[_random.Next(colons.Count)].Start + 1 : _random.Next(data.Count + 1);
        data.InsertRange(at, Encoding.UTF8.GetBytes(nested.ToString()));
    }

    private static List<(int Start, int Length)> Runs(List<byte> data, Func<byte, bool> inRun)
    {
        var runs = new List<(int, int)>();
        for (int i = 0; i < data.Count;)
        {
            if (!inRun(data[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < data.Count && inRun(data[i]))
            {
                i++;
            }

            runs.Add((start, i - start));
        }

        return runs;
    }

    private byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
