using System.Buffers.Binary;
using System.Text;

namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// Deterministic mutations of a valid input, for fuzzing parsers: bit flips, byte insertions and deletions,
/// truncation, splices, extreme numbers and huge lengths written over binary fields, and, for JSON text, number
/// tokens replaced by extreme literals, strings replaced, and deep nesting. The same input and seed give the same
/// output on every machine.
/// </summary>
internal static class ByteMutator
{
    private static readonly long[] s_extremeNumbers =
    [
        0, 1, -1, 2, 63, 64, 4095, 4096, 4097, 255, 256, 65535, 65536,
        int.MaxValue, int.MinValue, (long)int.MaxValue + 1, uint.MaxValue, (long)uint.MaxValue + 1,
        44_000_000, 1L << 40, long.MaxValue, long.MinValue, long.MaxValue - 4095, 0x7FFFFFC7,
    ];

    private static readonly string[] s_extremeLiterals =
    [
        "-1", "0", "-0", "1", "1.5", "1e308", "-1e308", "1E2", "2147483647", "2147483648", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "0x10",
        "null", "true", "\"\"", "[]", "{}", "NaN",
    ];

    /// <summary>Applies one to four mutations to a copy of <paramref name="input"/>.</summary>
    /// <param name="input">A valid input.</param>
    /// <param name="random">The case's generator.</param>
    /// <param name="focus">Byte ranges where positions are drawn more often (headers, tables); empty for none.</param>
    /// <param name="json">Whether JSON-aware mutations are tried too.</param>
    public static byte[] Mutate(byte[] input, Random random, IReadOnlyList<Range> focus, bool json)
    {
        var data = new List<byte>(input);
        int count = 1 + random.Next(4);
        for (int i = 0; i < count; i++)
        {
            int op = random.Next(json ? 14 : 10);
            switch (op)
            {
                case 0:
                case 1:
                    FlipBits(data, random, focus);
                    break;
                case 2:
                    if (data.Count > 0)
                    {
                        data[Position(data.Count, random, focus)] = (byte)(random.Next(5) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, 3 => 0x80, _ => random.Next(256) });
                    }

                    break;
                case 3:
                case 4:
                    WriteNumber(data, random, focus);
                    break;
                case 5:
                    data.InsertRange(Position(data.Count + 1, random, focus), Bytes(random, 1 + random.Next(16)));
                    break;
                case 6:
                    Delete(data, random, focus);
                    break;
                case 7:
                    if (data.Count > 0)
                    {
                        int keep = random.Next(data.Count);
                        data.RemoveRange(keep, data.Count - keep);
                    }

                    break;
                case 8:
                    Splice(data, random, focus);
                    break;
                case 9:
                    if (data.Count > 0)
                    {
                        // Duplicate a run in place (a repeated table entry, a repeated JSON member).
                        int start = Position(data.Count, random, focus);
                        int length = Math.Min(data.Count - start, 1 + random.Next(96));
                        data.InsertRange(start, data.GetRange(start, length));
                    }

                    break;
                case 10:
                case 11:
                    ReplaceJsonNumber(data, random);
                    break;
                case 12:
                    Nest(data, random);
                    break;
                default:
                    ReplaceJsonString(data, random);
                    break;
            }
        }

        return [.. data];
    }

    private static int Position(int length, Random random, IReadOnlyList<Range> focus)
    {
        if (length <= 1)
        {
            return 0;
        }

        if (focus.Count > 0 && random.Next(10) < 7)
        {
            (int offset, int size) = focus[random.Next(focus.Count)].GetOffsetAndLength(int.MaxValue);
            int start = Math.Min(offset, length - 1);
            return start + random.Next(Math.Max(1, Math.Min(size, length - start)));
        }

        return random.Next(length);
    }

    private static void FlipBits(List<byte> data, Random random, IReadOnlyList<Range> focus)
    {
        if (data.Count == 0)
        {
            return;
        }

        int flips = 1 + random.Next(random.Next(2) == 0 ? 1 : 8);
        for (int i = 0; i < flips; i++)
        {
            int at = Position(data.Count, random, focus);
            data[at] ^= (byte)(1 << random.Next(8));
        }
    }

    // An extreme value over 2, 4 or 8 bytes, at an aligned offset half of the time (where the format's fields are).
    private static void WriteNumber(List<byte> data, Random random, IReadOnlyList<Range> focus)
    {
        int size = random.Next(3) switch { 0 => 2, 1 => 4, _ => 8 };
        if (data.Count < size)
        {
            return;
        }

        int at = Math.Min(Position(data.Count, random, focus), data.Count - size);
        if (random.Next(2) == 0)
        {
            at &= ~(size - 1);
        }

        long value = s_extremeNumbers[random.Next(s_extremeNumbers.Length)];
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        for (int i = 0; i < size; i++)
        {
            data[at + i] = bytes[i];
        }
    }

    private static void Delete(List<byte> data, Random random, IReadOnlyList<Range> focus)
    {
        if (data.Count == 0)
        {
            return;
        }

        int at = Position(data.Count, random, focus);
        data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16)));
    }

    // Copies a run from elsewhere in the input over (or into) another place.
    private static void Splice(List<byte> data, Random random, IReadOnlyList<Range> focus)
    {
        if (data.Count < 2)
        {
            return;
        }

        int from = random.Next(data.Count);
        int length = Math.Min(data.Count - from, 1 + random.Next(128));
        byte[] run = [.. data.GetRange(from, length)];
        int to = Position(data.Count, random, focus);
        if (random.Next(2) == 0)
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

    private static void ReplaceJsonNumber(List<byte> data, Random random)
    {
        List<(int Start, int Length)> numbers = Tokens(data, b => b is (>= (byte)'0' and <= (byte)'9') or (byte)'-');
        if (numbers.Count == 0)
        {
            return;
        }

        (int start, int length) = numbers[random.Next(numbers.Count)];
        string literal = s_extremeLiterals[random.Next(s_extremeLiterals.Length)];
        data.RemoveRange(start, length);
        data.InsertRange(start, Encoding.UTF8.GetBytes(literal));
    }

    private static void ReplaceJsonString(List<byte> data, Random random)
    {
        var quotes = new List<int>();
        for (int i = 0; i < data.Count; i++)
        {
            if (data[i] == (byte)'"')
            {
                quotes.Add(i);
            }
        }

        if (quotes.Count < 2)
        {
            return;
        }

        int q = random.Next(quotes.Count - 1);
        int start = quotes[q] + 1;
        int end = quotes[q + 1];
        byte[] replacement = random.Next(6) switch
        {
            0 => [],
            1 => Encoding.UTF8.GetBytes(new string('a', 1 + random.Next(100_000))),
            2 => Encoding.UTF8.GetBytes("\\u0000\\\"\\\\/\\b\\f\\n\\r\\t"),
            3 => [0xC3, 0x28, 0xFF, 0xFE],
            4 => Encoding.UTF8.GetBytes("..\\/..\\/etc\\/passwd"),
            _ => Encoding.UTF8.GetBytes("\u00e9\U0001F600\u200b"),
        };
        data.RemoveRange(start, end - start);
        data.InsertRange(start, replacement);
    }

    // Deep nesting: thousands of '[' or '{"a":' at a position, closed or not.
    private static void Nest(List<byte> data, Random random)
    {
        int depth = random.Next(4) switch { 0 => 17, 1 => 1000, 2 => 20_000, _ => 100_000 };
        bool objects = random.Next(2) == 0;
        byte[] open = Encoding.UTF8.GetBytes(objects ? "{\"a\":" : "[");
        byte[] close = Encoding.UTF8.GetBytes(objects ? "}" : "]");
        var nested = new List<byte>((open.Length + close.Length) * depth);
        for (int i = 0; i < depth; i++)
        {
            nested.AddRange(open);
        }

        nested.AddRange(Encoding.UTF8.GetBytes("1"));
        if (random.Next(2) == 0)
        {
            for (int i = 0; i < depth; i++)
            {
                nested.AddRange(close);
            }
        }

        // After a ':' (a value position) when there is one, so the nesting is reached by the parser.
        List<(int Start, int Length)> colons = Tokens(data, b => b == (byte)':');
        int at = colons.Count > 0 && random.Next(4) != 0 ? colons[random.Next(colons.Count)].Start + 1 : random.Next(data.Count + 1);
        data.InsertRange(at, nested);
    }

    private static List<(int Start, int Length)> Tokens(List<byte> data, Func<byte, bool> inToken)
    {
        var tokens = new List<(int, int)>();
        for (int i = 0; i < data.Count;)
        {
            if (!inToken(data[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < data.Count && inToken(data[i]))
            {
                i++;
            }

            tokens.Add((start, i - start));
        }

        return tokens;
    }

    private static byte[] Bytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
