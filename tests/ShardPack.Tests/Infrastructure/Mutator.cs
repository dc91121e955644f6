using System.Buffers.Binary;
using System.Text;

namespace ShardPack.Tests.Infrastructure;

/// <summary>
/// Mutates valid inputs into hostile ones, deterministically from a seed: bit flips, byte inserts and deletes,
/// truncation, splices of two inputs, extreme numbers and tokens, deep nesting, and huge declared lengths (little-endian
/// integers and protobuf varints written over the input).
/// </summary>
internal sealed class Mutator
{
    private static readonly string[] s_numbers =
    [
        "1e400", "-1e400", "-0", "0", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "2147483648", "4294967296",
        "NaN", "Infinity", "-Infinity", "1e-400", "0x10", "+1", "--1", "1.", ".5", "1e", "65504", "65520", "3.4028236e38",
        "99999999999999999999999999999999999999999999", "0.000000000000000000000000000000000000000000001",
    ];

    private static readonly ulong[] s_lengths =
    [
        0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 1UL << 30, (1UL << 30) + 1, 1UL << 62, ulong.MaxValue, long.MaxValue,
    ];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _tokens;

    /// <summary>Creates a mutator; <paramref name="tokens"/> (from <see cref="Tokens"/>) are format words it may insert.</summary>
    public Mutator(int seed, IReadOnlyList<byte[]> tokens)
    {
        _random = new Random(seed);
        _tokens = tokens;
    }

    /// <summary>Returns the words a mutator inserts: the format's own (e.g. <c>"|x "</c>, <c>"'shape'"</c>) and extreme numbers.</summary>
    public static IReadOnlyList<byte[]> Tokens(params string[] formatWords) => [.. formatWords.Concat(s_numbers).Select(Encoding.UTF8.GetBytes)];

    /// <summary>Returns a mutant of one of <paramref name="corpus"/>: one to four mutations stacked.</summary>
    public byte[] Next(IReadOnlyList<byte[]> corpus)
    {
        byte[] data = corpus[_random.Next(corpus.Count)];
        int count = 1 + _random.Next(4);
        for (int i = 0; i < count; i++)
        {
            data = MutateOnce(data, corpus);
        }

        return data;
    }

    private byte[] MutateOnce(byte[] data, IReadOnlyList<byte[]> corpus)
    {
        switch (_random.Next(10))
        {
            case 0:
                return FlipBits(data);
            case 1:
                return Insert(data, RandomBytes(1 + _random.Next(16)));
            case 2:
                return Delete(data);
            case 3:
                return data.Length == 0 ? data : data[.._random.Next(data.Length)];
            case 4:
                return Splice(data, corpus[_random.Next(corpus.Count)]);
            case 5:
                return Insert(data, _tokens[_random.Next(_tokens.Count)]);
            case 6:
                return Insert(data, Nesting());
            case 7:
                return OverwriteLength(data);
            case 8:
                return Repeat(data);
            default:
                return ReplaceNumber(data);
        }
    }

    private byte[] FlipBits(byte[] data)
    {
        if (data.Length == 0)
        {
            return data;
        }

        byte[] copy = (byte[])data.Clone();
        int flips = 1 + _random.Next(8);
        for (int i = 0; i < flips; i++)
        {
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return copy;
    }

    private byte[] Insert(byte[] data, ReadOnlySpan<byte> bytes)
    {
        int at = _random.Next(data.Length + 1);
        return [.. data.AsSpan(0, at), .. bytes, .. data.AsSpan(at)];
    }

    private byte[] Delete(byte[] data)
    {
        if (data.Length == 0)
        {
            return data;
        }

        int at = _random.Next(data.Length);
        int length = 1 + _random.Next(Math.Min(64, data.Length - at));
        return [.. data.AsSpan(0, at), .. data.AsSpan(at + length)];
    }

    private byte[] Splice(byte[] a, byte[] b) => [.. a.AsSpan(0, _random.Next(a.Length + 1)), .. b.AsSpan(_random.Next(b.Length + 1))];

    private byte[] Nesting()
    {
        string open = _random.Next(4) switch { 0 => "[", 1 => "(", 2 => "{", _ => "\"" };
        int depth = _random.Next(3) == 0 ? 20_000 : 1 + _random.Next(200);
        return Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(open, depth)));
    }

    // Writes a huge or boundary length over the input: 2, 4 or 8 bytes little-endian, or a protobuf varint.
    private byte[] OverwriteLength(byte[] data)
    {
        ulong value = s_lengths[_random.Next(s_lengths.Length)];
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

        if (data.Length < size)
        {
            return [.. data, .. encoded[..size]];
        }

        byte[] copy = (byte[])data.Clone();
        encoded[..size].CopyTo(copy.AsSpan(_random.Next(copy.Length - size + 1)));
        return copy;
    }

    // Repeats a slice many times: huge counts of rows, fields, values or records.
    private byte[] Repeat(byte[] data)
    {
        if (data.Length == 0)
        {
            return data;
        }

        int at = _random.Next(data.Length);
        int length = 1 + _random.Next(Math.Min(32, data.Length - at));
        int times = _random.Next(3) == 0 ? 2000 : 2 + _random.Next(30);
        var result = new List<byte>(data.Length + (length * times));
        result.AddRange(data.AsSpan(0, at + length));
        for (int i = 0; i < times; i++)
        {
            result.AddRange(data.AsSpan(at, length));
        }

        result.AddRange(data.AsSpan(at + length));
        return [.. result];
    }

    // Replaces a run of digits with an extreme number.
    private byte[] ReplaceNumber(byte[] data)
    {
        int start = data.Length == 0 ? 0 : _random.Next(data.Length);
        while (start < data.Length && !char.IsAsciiDigit((char)data[start]))
        {
            start++;
        }

        int end = start;
        while (end < data.Length && (char.IsAsciiDigit((char)data[end]) || data[end] is (byte)'.' or (byte)'e' or (byte)'-'))
        {
            end++;
        }

        byte[] number = Encoding.ASCII.GetBytes(s_numbers[_random.Next(s_numbers.Length)]);
        return [.. data.AsSpan(0, start), .. number, .. data.AsSpan(end)];
    }

    private byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
